import pytest

from onedoor.insights.cells import TOTAL, Category, build_cube, key

A = (Category("a", "A"), Category("b", "B"))
X = (Category("x", "X"), Category("y", "Y"), Category("not-recorded", "Not recorded"))


def test_a_cube_has_every_margin_and_zeros() -> None:
    cube = build_cube(population="p", categories={"s": A, "d": X}, counts={("a", "x"): 3, ("b", "not-recorded"): 2})
    assert cube[TOTAL] == 5
    assert cube.get(s="a") == 3 and cube.get(d="not-recorded") == 2 and cube.get(s="b", d="y") == 0
    assert len(cube.cells) == 1 + 2 + 3 + 6
    for parent, children in cube.additivity():
        assert cube[parent] == sum(cube[c] for c in children)
    assert key(s="a", d="x") in cube.cells


def test_a_code_outside_the_categories_is_refused() -> None:
    with pytest.raises(ValueError, match="not a category"):
        build_cube(population="p", categories={"s": A}, counts={("c",): 1})
