import unicodedata

from bench.datagen import officers, org_tree


def test_same_seed_gives_the_same_data() -> None:
    units = org_tree(seed=7)
    assert units == org_tree(seed=7)
    assert list(officers(50, units, seed=7)) == list(officers(50, units, seed=7))


def test_officers_are_well_formed() -> None:
    units = org_tree()
    codes = {u.code for u in units}
    people = list(officers(500, units))
    assert len({p.code for p in people}) == 500
    for person in people:
        assert person.unit_code in codes and person.unit_code != "TP"
        assert unicodedata.normalize("NFC", person.full_name) == person.full_name
        assert len(person.full_name.split()) == 3
