"""services/perception.py: predictions about another community, and the gap report."""

import pytest

from convene.core.errors import InvalidInput
from convene.deliberation import selectors, services


def test_perception_gap(boundary):
    b = boundary
    response = b.open_response(perception_step=True)
    s = b.statement(response, "Social workers read every letter.")
    services.statement_mark_key(statement=s, actor=b.coordinator, key=True)
    for i, user in enumerate(b.members):
        services.vote_cast(response=response, user=user, statement_id=s.pk, value=1 if i >= 8 else -1)
    for user in b.members[:5]:
        services.prediction_save(response=response, user=user, statement=s, target=b.sw, share=80)
    with pytest.raises(InvalidInput):
        services.prediction_save(response=response, user=b.members[0], statement=s, target=b.psy, share=50)
    with pytest.raises(InvalidInput):
        services.prediction_save(response=response, user=b.members[0], statement=s, target=b.sw, share=150)
    rows = selectors.perception_report(response)
    assert rows == [
        {
            "statement": s.text,
            "statement_id": s.pk,
            "predictor": "Psychiatry",
            "target": "Social Work",
            "predicted_pct": 80,
            "actual_pct": 40,
            "gap": 40,
            "n_predictions": 5,
            "actual_votes": 5,
            "note": "",
        }
    ]
