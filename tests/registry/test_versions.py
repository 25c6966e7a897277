from hypothesis import given
from hypothesis import strategies as st

from tsbkart.domain.errors import UserError
from tsbkart.registry.changes import ABSENT
from tsbkart.registry.versions import Conflict, StaleRecord, etag, version_of_etag


@given(st.integers(0, 2**63))
def test_an_etag_names_its_version(version: int) -> None:
    assert version_of_etag(etag(version)) == version
    assert version_of_etag(f" {etag(version)} ") == version


def test_weak_and_foreign_etags_name_no_version() -> None:
    for value in ('W/"v3"', '"3"', "v3", '"v3', '"vx"', "*", ""):
        assert version_of_etag(value) is None


def test_a_conflict_names_every_stale_record() -> None:
    conflict = Conflict(
        [
            StaleRecord("unit", "ous-rusakutt", based_on=12, current=15),
            StaleRecord("offer", "x/akutt", based_on=3, current=ABSENT),
            StaleRecord("team", "t", based_on=ABSENT, current=4),
        ]
    )
    assert str(conflict).startswith("unit 'ous-rusakutt' has changed since version 12 (now version 15)")
    assert "(and 2 more)" in str(conflict) and "nothing was written" in str(conflict)
    assert isinstance(conflict, UserError) and conflict.status == 409
    assert [r.message for r in conflict.records[1:]] == [
        "offer 'x/akutt' has been deleted since version 3",
        "team 't' already exists (version 4); it was created by someone else",
    ]
