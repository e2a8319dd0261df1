# Casework's case fixtures, for the measures built on cases.
from tests.casework.conftest import accepted_case, caseworker, team_lead

__all__ = ["accepted_case", "caseworker", "team_lead"]
