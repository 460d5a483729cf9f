"""Map readers only read: what the store holds, never computing or storing."""

import pytest

from convene.deliberation import selectors, services
from convene.deliberation.models import MapCache

from ..conftest import vote_pattern


@pytest.mark.django_db
def test_the_map_reader_never_computes_or_stores(boundary):
    b = boundary
    response = b.open_response()
    vote_pattern(response, b, b.statements(response))
    assert selectors.map_view(response)["empty"], "nothing stored yet: the reader shows an empty map"
    assert not MapCache.objects.filter(response=response).exists()
    services.map_refresh(response=response)
    assert selectors.map_view(response)["n_participants"] == 10
