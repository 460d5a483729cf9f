"""selectors/representation.py: who a community holds, perturbed on fixed categories."""

from __future__ import annotations

from convene.accounts.models import DiversityAnswer
from convene.engines import equity
from convene.insights import selectors

from ...factories import CommunityFactory, MembershipFactory, UserFactory
from ..conftest import near


def test_representation_counts_are_perturbed_on_fixed_categories(eq):
    rep = selectors.community_representation(eq.community)
    assert rep.people == 13 and near(rep.population, 13)  # guest not counted
    disc = {b.key: b for b in rep.breakdowns}["discipline"]
    # "Nurse" and "nurse " are one category; categories are the values >= 5 people give site-wide
    cells = {c.label: c.value for c in disc.cells}
    assert near(cells["Nurse"], 7)
    assert "Doctor" not in cells and "Pharmacist" not in cells  # fewer than 5 on the site
    assert "Other answers" not in cells or near(cells["Other answers"], 5)  # a hidden "Other" row is left out
    assert near(cells["Not answered"], 1)
    assert near(disc.total, 13)
    # the index comes from the protected figures (hidden cells count as 0), rounded to 0.05
    assert disc.blau == selectors.coarse(equity.blau([cells["Nurse"].value or 0]))
    again = {b.key: b for b in selectors.community_representation(eq.community).breakdowns}["discipline"]
    assert again == disc  # asking again gives the same figures


def test_seniority_lists_all_bands(eq):
    sen = {b.key: b for b in selectors.community_representation(eq.community).breakdowns}["seniority"]
    assert sen.categories == 5
    true = dict(zip(["Student", "Early career", "Mid career", "Senior", "Leader"], [1, 2, 4, 3, 1], strict=True))
    for cell in sen.cells:
        if cell.label in true:
            assert near(cell.value, true[cell.label]), cell.label


def test_diversity_attribute_is_perturbed_with_a_band(eq):
    gender = {b.key: b for b in selectors.community_representation(eq.community).breakdowns}["diversity:gender"]
    cells = {c.label: c.value for c in gender.cells}
    assert near(cells["woman"], 5) and near(cells["Not answered"], 4)
    assert "man" not in cells  # 4 answers on the whole site: counted under "Other answers"
    assert near(gender.total, 13)  # everyone is counted; those who did not share are "Not answered"
    assert all(c.share.hidden or c.share.value % 5 == 0 for c in gender.cells)


def test_diversity_rows_are_fixed_site_wide(db):
    community = CommunityFactory(slug="big")
    for i in range(16):
        user = UserFactory()
        MembershipFactory(community=community, user=user)
        DiversityAnswer.objects.create(user=user, attribute="gender", value=["woman", "man"][i % 2] if i < 12 else "x")
    gender = {b.key: b for b in selectors.community_representation(community).breakdowns}["diversity:gender"]
    # "x" has 4 answers on the whole site: never a row of its own, counted under "Other answers"
    labels = [c.label for c in gender.cells]
    assert labels[:2] == ["man", "woman"] and "x" not in labels
    assert all(c.value.hidden or c.value.value % 5 == 0 for c in gender.cells)
