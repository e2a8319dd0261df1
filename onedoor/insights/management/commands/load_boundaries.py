import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onedoor.core.context import origin
from onedoor.insights.context.errors import ContextDataError
from onedoor.insights.context.shapes import dissolve, district_shapes_load, outlines_geojson, read_features


class Command(BaseCommand):
    help = (
        "Load district outlines for the map from GeoJSON boundaries (LSOA polygons are dissolved into their "
        "district and simplified). --write saves the outlines as a small GeoJSON file to bundle with an area."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", type=Path)
        parser.add_argument("--source", default="ONS LSOA 2021 boundaries, dissolved to districts")
        parser.add_argument("--write", type=Path, help="Also write the outlines to this GeoJSON file")

    def handle(self, *args: Any, **options: Any) -> None:
        features = []
        try:
            for path in options["files"]:
                fallback = path.stem if path.stem[:3] in {"E06", "E07", "E08", "E09", "W06"} else ""
                for f in read_features(path.read_text(encoding="utf-8"), name=path.name):
                    props = f.setdefault("properties", {}) or {}
                    if fallback and not props.get("district_code"):
                        props.setdefault("district_code", fallback)
                    features.append(f)
            outlines = dissolve(features)
        except (ContextDataError, OSError) as exc:
            raise CommandError(str(exc)) from None
        with origin("cli", "load_boundaries"):
            loaded = district_shapes_load(outlines=outlines, source=options["source"], actor=None)
        if options["write"]:
            options["write"].write_text(outlines_geojson(outlines) + "\n", encoding="utf-8")
        self.stdout.write(
            json.dumps({"districts": loaded, "points": sum(len(r) for o in outlines for p in o.polygons for r in p)})
        )
