"""Every function that aggregates people goes through the disclosure-control module.

The test reads the source tree: a function of a surface module (selectors, api, views, exports,
charts, reports, documents, services, disclosure -- as a module, or as a package of modules such
as ``deliberation/selectors/reports.py``) that both touches a model about people and aggregates
(``Count(``, ``Counter(``, ``.count()``, ``Sum(``, ``Avg(``, or numpy's ``np.bincount(``,
``np.sum(``, ``np.count_nonzero(``, ``.sum(`` over arrays) must be marked ``@people_aggregate``
and then call a protection of the disclosure module (itself, or through a function or class of
its own module that does), or be listed in ``NOT_ABOUT_PEOPLE`` with the reason it is not a
figure about people shown to anyone. A new selector, route or export that counts people
without the module fails here.

Allow-list keys are ``"app:function"`` (``"Class.method"`` for methods), not module paths, so
that moving a function between an app's modules (or splitting a module into a package) does not
touch this list. One key covers every function of that name in the app; a test below fails if a
key covers two, so that each reason is read against the function it excuses.

Limits (what this scan cannot see):

- It reads names, not data flow. "Touches a model about people" means the function's source
  names one of ``PEOPLE_MODELS`` (or a vote matrix); a count over people reached through a
  differently named helper or a related-name chain (``community.memberships.count()`` with no
  model name in the function) is missed. The attack tests in this directory are the backstop.
- The pure engines (``convene/engines/``) are not scanned: the opinion map's per-group
  agreement, coverage and perception are computed there with numpy over vote matrices. What
  the scan checks is that the surface function which calls the engine and shows its figures is
  marked and calls the module (``group_sizes``) -- not what the engine sums.
- Python's built-in ``sum(``/``len(`` are not treated as aggregations (they are everywhere);
  a surface that counts people with ``len(list_of_people)`` is found only if it also uses one of
  the patterns above.
- "Calls the module" is checked, not "every figure it returns went through the module": a marked
  function could protect one figure and return another raw. Review and the attack tests cover that.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import convene
from convene.engines import disclosure as engine
from convene.privacy import disclosure as adapter

SRC = Path(convene.__file__).parent
SURFACE_NAMES = (
    "selectors",
    "api",
    "views",
    "exports",
    "charts",
    "reports",
    "documents",
    "services",
    "disclosure",
)
SKIPPED_DIRS = ("engines", "migrations", "management", "templatetags", "templates", "static")
PEOPLE_MODELS = (
    "Membership",
    "DiversityAnswer",
    "Participant",
    "SessionInvitation",
    "OpportunityEntry",
    "Contribution",
    "Endorsement",
    "Turn",
    "Vote",
    "vote_matrix",
    "TeamMember",
    "TeamPlace",
    "Profile",
    "User",
    "Attendance",
    "Guess",
)
AGGREGATES = (
    "Count(",
    "Counter(",
    ".count()",
    "Sum(",
    "Avg(",
    "np.bincount(",
    "np.sum(",
    "np.count_nonzero(",
    ".sum(",
)
# the protections: calling one of these (imported from either disclosure module) is "calling the module"
PROTECTIONS = frozenset(
    {
        "people_count",
        "activity_count",
        "people_breakdown",
        "diversity_breakdowns",
        "group_sizes",
        "exact",
        "share",
        "hidden",
        "protect_count",
        "protect_table",
        "merge_small_groups",
        "diversity_band",
    }
)
DISCLOSURE_MODULES = ("convene.privacy.disclosure", "convene.engines.disclosure")

# "app:function": why it is not a figure about people shown to anyone (or why it needs no protection).
NOT_ABOUT_PEOPLE: dict[str, str] = {
    # a person's own data
    "accounts:profile": "the viewer's own number of diversity answers, on their own profile page",
    "communities:personal_data": "the person's own data export (their own contributions and opportunities)",
    "convening:personal_data": "the person's own data export (their own speaking turns)",
    # coordinator-only lists that name every person anyway
    "communities:home_items": "a coordinator's own to-do: pending join requests they decide, each listed by name",
    "communities:community_detail": (
        "member count from member_count (marked, exact); the other counts are glossary terms and, "
        "for coordinators only, pending join requests listed by name on the requests page"
    ),
    "convening:queue_state": (
        "speaking queue for facilitators only (SessionNeed.FACILITATE): every person in the room is "
        "named with their turns; the per-community shares are sums of that named list"
    ),
    "insights:opportunity_ledger": (
        "coordinators only (coordinated_community): one named row per member with their opportunities"
    ),
    "insights:rotation_suggestion": (
        "coordinators only: named suggestions of whose turn it is, with each person's recent count"
    ),
    # internal helpers whose output is never shown as it is
    "insights:_bucket_histograms": "internal: per-month histograms that community_trend perturbs before showing",
    "insights:_closed_histograms": "internal: cached histograms for community_trend (marked), never shown as they are",
    "insights:profile_categories": (
        "internal: the site-wide list of row labels (values given by >= 5 people), no figure is shown"
    ),
    "privacy:diversity_categories": (
        "internal: the site-wide list of row labels (answers given by >= 5 people), no figure is shown"
    ),
    # statement counts, not people
    "deliberation:home_items": (
        "statements left for the viewer to vote on (their own), and a coordinator's count of pending "
        "requests for opinion (requests, not people)"
    ),
    "deliberation:response_detail": (
        "statement counts (pending, accepted); coverage comes from selectors.coverage (marked)"
    ),
    # services: checks that decide, not figures shown
    "convening:rsvp_set": "capacity check (accepted < capacity), decides waitlisting; no figure is shown",
    "convening:waitlist_promote": "capacity check while promoting the waitlist; no figure is shown",
    "convening:session_update": (
        "the capacity error tells the coordinator editing the session how many accepted; they see the "
        "guest list with each RSVP by name"
    ),
    "projects:project_transition": (
        "a coordinator's count of proposed places in the error; each place is listed by name on the team page"
    ),
    "projects:candidate_pool": (
        "internal: the matcher's input (each candidate's load and opportunities); the pool size shown "
        "goes through matching_pool_size (marked, exact)"
    ),
}


@dataclass(frozen=True)
class Candidate:
    key: str  # "app:qualname"
    module: str
    decorated: bool
    protected: bool  # calls the disclosure module, itself or through a same-module function/class


def _surface_modules(root: Path = SRC) -> Iterator[tuple[Path, str]]:
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root)
        if any(part in SKIPPED_DIRS for part in rel.parts[:-1]):
            continue
        app = rel.parts[0] if len(rel.parts) > 1 else "convene"
        # a module named like a surface, or any module inside a package named like one
        # (deliberation/selectors/reports.py, deliberation/views/__init__.py)
        if path.stem in SURFACE_NAMES or any(part in SURFACE_NAMES for part in rel.parts[1:-1]):
            yield path, app


def _disclosure_imports(tree: ast.Module) -> tuple[set[str], set[str]]:
    """Local names bound to protections, and local aliases of the disclosure modules."""
    names: set[str] = set()
    modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                if node.module in DISCLOSURE_MODULES and alias.name in PROTECTIONS:
                    names.add(alias.asname or alias.name)
                elif full in DISCLOSURE_MODULES:
                    modules.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in DISCLOSURE_MODULES and alias.asname:
                    modules.add(alias.asname)
    return names, modules


def _calls_protection(node: ast.AST, names: set[str], modules: set[str]) -> bool:
    for sub in ast.walk(node):
        if not isinstance(sub, ast.Call):
            continue
        func = sub.func
        if isinstance(func, ast.Name) and func.id in names:
            return True
        if (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id in modules
            and func.attr in PROTECTIONS
        ):
            return True
    return False


def _functions(tree: ast.Module) -> Iterator[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
    """Every function with its qualified name (Class.method, outer.inner)."""

    def walk(node: ast.AST, prefix: str):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                yield f"{prefix}{child.name}", child
                yield from walk(child, f"{prefix}{child.name}.")
            elif isinstance(child, ast.ClassDef):
                yield from walk(child, f"{prefix}{child.name}.")
            else:
                yield from walk(child, prefix)

    yield from walk(tree, "")


def _protected_in(path: Path, name: str) -> bool:
    """Whether the top-level function or class `name` of the module at `path` calls the disclosure
    module, directly or through a helper of its own module."""
    tree = ast.parse(path.read_text(), filename=str(path))
    names, modules = _disclosure_imports(tree)
    top = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)}

    def walk(node: ast.AST, seen: frozenset[str]) -> bool:
        if _calls_protection(node, names, modules):
            return True
        refs = {sub.id for sub in ast.walk(node) if isinstance(sub, ast.Name)}
        return any(walk(top[r], seen | {r}) for r in refs if r in top and r not in seen)

    return name in top and walk(top[name], frozenset({name}))


def _module_candidates(path: Path, app: str, root: Path = SRC) -> Iterator[Candidate]:
    text = path.read_text()
    tree = ast.parse(text, filename=str(path))
    module = ".".join(("convene", *path.relative_to(root).with_suffix("").parts))
    names, modules = _disclosure_imports(tree)
    top = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)}
    memo: dict[str, bool] = {}

    siblings = {
        alias.asname or alias.name: path.parent / f"{node.module}.py"
        for node in tree.body
        if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module
        for alias in node.names
    }

    def protected(node: ast.AST, seen: frozenset[str]) -> bool:
        if _calls_protection(node, names, modules):
            return True
        # through a function or class of the same module (a helper, or a result class whose
        # properties give the shown figures), or of a sibling module of the same package
        for sub in ast.walk(node):
            ref = sub.id if isinstance(sub, ast.Name) else None
            if ref in top and ref not in seen:
                if ref not in memo:
                    memo[ref] = protected(top[ref], seen | {ref})
                if memo[ref]:
                    return True
            elif ref in siblings and ref not in seen and siblings[ref].exists():
                if ref not in memo:
                    memo[ref] = _protected_in(siblings[ref], ref)
                if memo[ref]:
                    return True
        return False

    for qualname, node in _functions(tree):
        source = ast.get_source_segment(text, node) or ""
        if not any(a in source for a in AGGREGATES):
            continue
        if not any(m in source for m in PEOPLE_MODELS):
            continue
        decorated = any(
            (isinstance(d, ast.Name) and d.id == "people_aggregate")
            or (isinstance(d, ast.Attribute) and d.attr == "people_aggregate")
            for d in node.decorator_list
        )
        yield Candidate(f"{app}:{qualname}", module, decorated, protected(node, frozenset({qualname})))


def _candidates() -> list[Candidate]:
    return [c for path, app in _surface_modules() for c in _module_candidates(path, app)]


def test_every_people_aggregate_goes_through_disclosure_control():
    unmarked = sorted(
        f"{c.key}  ({c.module})" for c in _candidates() if not c.decorated and c.key not in NOT_ABOUT_PEOPLE
    )
    assert not unmarked, (
        "functions aggregating people without convene.privacy.disclosure (mark them @people_aggregate "
        "and protect their figures, or list them in NOT_ABOUT_PEOPLE with a reason):\n" + "\n".join(unmarked)
    )


def test_marked_functions_use_the_module():
    bypass = sorted(c.key for c in _candidates() if c.decorated and not c.protected)
    assert not bypass, f"marked @people_aggregate but never call the disclosure module: {bypass}"


def test_allow_list_is_not_stale():
    found = {c.key for c in _candidates()}
    stale = sorted(set(NOT_ABOUT_PEOPLE) - found)
    assert not stale, f"NOT_ABOUT_PEOPLE lists functions that no longer aggregate people: {stale}"


def test_allow_list_keys_name_one_function():
    modules = defaultdict(set)
    for c in _candidates():
        if c.key in NOT_ABOUT_PEOPLE:
            modules[c.key].add(c.module)
    ambiguous = sorted(k for k, m in modules.items() if len(m) > 1)
    assert not ambiguous, f"an allow-list key covers functions of several modules, check each: {ambiguous}"


def test_every_reason_is_given():
    assert all(reason.strip() for reason in NOT_ABOUT_PEOPLE.values())


def test_protections_exist():
    """The names this scan accepts as protections are the modules' real functions."""
    for name in PROTECTIONS:
        assert callable(getattr(adapter, name, None) or getattr(engine, name, None)), name


def test_scan_finds_package_modules(tmp_path):
    """A package of selectors (as deliberation's are becoming) is scanned like a module."""
    pkg = tmp_path / "convene_fake" / "demoapp" / "selectors"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "reports.py").write_text(
        "from django.db.models import Count\n"
        "from convene.privacy.disclosure import people_aggregate, exact\n\n"
        "def raw(qs):\n    return Membership.objects.aggregate(n=Count('id'))\n\n"
        "@people_aggregate\ndef fine(qs):\n    return _helper(Membership.objects.count())\n\n"
        "def _helper(n):\n    return exact(n)\n\n"
        "@people_aggregate\ndef fake(qs):\n    return Membership.objects.count()\n"
    )
    root = tmp_path / "convene_fake"
    found = {c.key: c for path, app in _surface_modules(root) for c in _module_candidates(path, app, root)}
    assert set(found) == {"demoapp:raw", "demoapp:fine", "demoapp:fake"}
    assert not found["demoapp:raw"].decorated
    assert found["demoapp:fine"].protected
    assert not found["demoapp:fake"].protected
