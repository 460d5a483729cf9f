"""The opinion map: the one place that computes, stores and reads a response's map.

One way through it: a recompute (the worker's task, `tasks.recompute_map`, or
`services.map_refresh` when no worker runs or nothing is stored yet) calls `map_recompute`,
which computes the map from the votes (`compute.map_compute`) and stores it keyed by the
response's revision (`store.map_store`). Readers (`selectors.map_view`, the context hook) call
`map_read` and never compute or write.

This package imports only the models and the engine: services, selectors and tasks import it,
never the other way round.
"""

from .compute import map_compute
from .read import map_read, stored_revision
from .store import map_recompute, map_store, statement_counts_refresh

__all__ = ["map_compute", "map_read", "map_recompute", "map_store", "statement_counts_refresh", "stored_revision"]
