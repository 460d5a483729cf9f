"""Convene's settings with one addition for bench/load.py: the floor route (bench/_floor_urls.py).

The bench serves Convene with these settings so that its vote route and the floor route run on
the same server, with the same middleware, database, cache and client. Production never loads
this module: the floor route exists only in bench/.
"""

from convene.settings import *  # noqa: F403

ROOT_URLCONF = "_floor_urls"
