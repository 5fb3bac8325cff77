"""The gaps between what processes need and what their dependencies can do, computed from the
records each time (never stored, so a fixed gap disappears and a changed objective shows at
once), and the dependency impact view: what stops if one thing is lost.

The graph is small (processes and their dependencies, hundreds to a few thousand edges) and
processes may depend on each other in circles, which no aggregate query follows portably: it
is loaded in a constant number of queries (`load`) and walked here, in memory: the processes
that reach each other form one strongly connected component, and each component is summed up
once (`Graph.reach_worst`).

A process's dependency on another process recovers when everything that process needs has
recovered: its recovery time is the longest recovery among all it reaches, and the data it
may lose the most any of those may lose. A dependency with no alternative is a single point
of failure.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.db.models import Q
from django.utils import timezone

from mamori.continuity.models import (
    AssetRecovery,
    BusinessProcess,
    Dependency,
    GapAcceptance,
)
from mamori.continuity.models.processes import GapKind

PROCESS = Dependency.Kind.PROCESS


@dataclass(frozen=True)
class Edge:
    """One dependency: of `process` on a resource (`target`, e.g. ("asset", 12)) or on
    another process (`upstream`)."""

    id: int
    process: int
    target: tuple
    recovery: Decimal | None = None  # for a resource: how soon it is back; None: not shown
    data_loss: Decimal | None = None  # for a resource: the data a recovery loses at most
    alternative: bool = False
    upstream: int | None = None


@dataclass(frozen=True)
class Gap:
    dependency: int
    process: int
    kind: str
    needed: Decimal | None = None  # the objective (RTO or RPO)
    found: Decimal | None = None  # what the dependency gives


@dataclass
class Graph:
    objectives: dict = field(default_factory=dict)  # process -> (rto, rpo), None if unknown
    edges: list = field(default_factory=list)

    def __post_init__(self):
        self.by_process = defaultdict(list)
        for edge in self.edges:
            self.by_process[edge.process].append(edge)

    def recovery(self, edge: Edge) -> tuple[Decimal | None, Decimal | None, bool]:
        """(recovery time, data lost, whether some recovery time is not shown) of one
        dependency: its own for a resource; for a process, the worst of all it reaches."""
        if edge.upstream is None:
            return edge.recovery, edge.data_loss, edge.recovery is None
        return self.reach_worst[edge.upstream]

    @cached_property
    def reach_worst(self) -> dict:
        """For each process, the worst of the resources it reaches (itself included), as
        (slowest recovery, most data lost, any recovery not shown): one pass over the
        graph's strongly connected components (Tarjan's algorithm, without recursion), each
        component after every component it reaches, so a circle of processes is one
        component and nothing is walked twice (a walk per dependency took seconds on a
        circle of a thousand processes)."""
        component, components = self._components()
        worst_of = []
        for number, members in enumerate(components):
            time = loss = None
            unknown = False
            for member in members:
                for edge in self.by_process.get(member, ()):
                    if edge.upstream is None:
                        other = (edge.recovery, edge.data_loss, edge.recovery is None)
                    elif component[edge.upstream] != number:
                        other = worst_of[component[edge.upstream]]
                    else:
                        continue
                    time, loss = _larger(time, other[0]), _larger(loss, other[1])
                    unknown = unknown or other[2]
            worst_of.append((time, loss, unknown))
        return {process: worst_of[number] for process, number in component.items()}

    def _components(self) -> tuple[dict, list]:
        nodes = set(self.objectives) | set(self.by_process) | {
            e.upstream for e in self.edges if e.upstream is not None}
        after = {p: [e.upstream for e in edges if e.upstream is not None]
                 for p, edges in self.by_process.items()}
        index, low, on_stack, stack = {}, {}, set(), []
        component, components = {}, []
        for root in sorted(nodes):
            if root in index:
                continue
            index[root] = low[root] = len(index)
            stack.append(root)
            on_stack.add(root)
            work = [(root, iter(after.get(root, ())))]
            while work:
                node, rest = work[-1]
                for following in rest:
                    if following not in index:
                        index[following] = low[following] = len(index)
                        stack.append(following)
                        on_stack.add(following)
                        work.append((following, iter(after.get(following, ()))))
                        break
                    if following in on_stack:
                        low[node] = min(low[node], index[following])
                else:
                    work.pop()
                    if work:
                        parent = work[-1][0]
                        low[parent] = min(low[parent], low[node])
                    if low[node] == index[node]:
                        members = []
                        while True:
                            member = stack.pop()
                            on_stack.discard(member)
                            component[member] = len(components)
                            members.append(member)
                            if member == node:
                                break
                        components.append(members)
        return component, components

    def gaps(self, process: int) -> list[Gap]:
        rto, rpo = self.objectives.get(process, (None, None))
        found = []
        for edge in self.by_process.get(process, ()):
            if not edge.alternative:
                found.append(Gap(edge.id, process, GapKind.SINGLE_POINT))
            if rto is None and rpo is None:
                continue  # no current objectives: nothing to measure the dependency against
            time, loss, unknown = self.recovery(edge)
            if rto is not None and unknown:
                found.append(Gap(edge.id, process, GapKind.UNKNOWN, rto))
            if rto is not None and time is not None and time > rto:
                found.append(Gap(edge.id, process, GapKind.RTO, rto, time))
            if rpo is not None and loss is not None and loss > rpo:
                found.append(Gap(edge.id, process, GapKind.RPO, rpo, loss))
        return found

    def impact_of(self, target: tuple) -> list[dict]:
        """If `target` (("asset", id), ("contractor", id), ("site", name)…) is lost: every
        process that stops (it depends on the target, or on a process that stops, with no
        alternative) or is only degraded (an alternative takes over), with whether its RTO
        is shorter than the target's recovery time."""
        return self.judged(self.reached_by_loss(target))

    def reached_by_loss(self, target: tuple) -> list[dict]:
        """impact_of's rows before they are read against the objectives."""
        hit = [e for e in self.edges if e.upstream is None and e.target == target]
        if not hit:
            return []
        recovery = max((e.recovery for e in hit if e.recovery is not None), default=None)
        stopped = {e.process for e in hit if not e.alternative}
        degraded = {e.process for e in hit if e.alternative}
        # For the graph: how far each process is from the loss, and what it is hit through
        # (None: the lost thing itself; otherwise the stopped process it depends on).
        depth = {e.process: 1 for e in hit}
        through = defaultdict(set)
        for edge in hit:
            through[edge.process].add(None)
        dependents = defaultdict(list)  # process -> the edges of processes that need it
        for edge in self.edges:
            if edge.upstream is not None:
                dependents[edge.upstream].append(edge)
        queue = sorted(stopped)  # breadth first, so a depth is the shortest
        while queue:
            upstream = queue.pop(0)
            for edge in dependents.get(upstream, ()):
                through[edge.process].add(upstream)
                depth.setdefault(edge.process, depth[upstream] + 1)
                if edge.alternative:
                    degraded.add(edge.process)
                elif edge.process not in stopped:
                    stopped.add(edge.process)
                    queue.append(edge.process)
        return [{"process": process, "stops": process in stopped, "recovery": recovery,
                 "depth": depth[process], "through": through[process] & (stopped | {None})}
                for process in stopped | degraded]

    def judged(self, rows: list[dict]) -> list[dict]:
        """The rows with each process's RTO and whether the loss makes it miss it."""
        judged = []
        for row in rows:
            rto = self.objectives.get(row["process"], (None, None))[0]
            judged.append({**row, "rto": rto, "misses_rto": row["stops"] and rto is not None
                           and (row["recovery"] is None or row["recovery"] > rto)})
        return judged


def _larger(a, b):
    """The larger of two values either of which may be None (not known)."""
    if a is None:
        return b
    return a if b is None or a >= b else b


COLUMNS = ("id", "process_id", "kind", "asset_id", "contractor_id", "upstream_id", "name",
           "recovery_hours", "backup_interval_hours", "alternative")


def load(on: datetime.date | None = None, objectives_for=None) -> Graph:
    """The dependency graph with the current objectives of the processes in `objectives_for`
    (ids; None: every process, and every dependency). Given processes, only what they reach
    is loaded: first the process-to-process links alone (two numbers a row), then the
    dependencies of the processes those reach, so a process's page reads its own part of the
    graph, not the company's. A constant number of queries either way."""
    dependencies = Dependency.objects.all()
    if objectives_for is not None:
        objectives_for = list(objectives_for)
        links = defaultdict(list)
        for process, upstream in Dependency.objects.filter(kind=PROCESS).values_list(
                "process_id", "upstream_id").iterator():
            links[process].append(upstream)
        reached, stack = set(objectives_for), list(objectives_for)
        while stack:
            for upstream in links.get(stack.pop(), ()):
                if upstream not in reached:
                    reached.add(upstream)
                    stack.append(upstream)
        dependencies = dependencies.filter(process__in=list(reached))
    return Graph(objectives(objectives_for, on), edges_of(dependencies))


def load_impact(target: tuple, on: datetime.date | None = None) -> list[dict]:
    """Graph.impact_of(target), reading only what it needs: the dependencies on the target,
    the process-to-process links, and the objectives of the processes hit (not the whole
    graph: an asset's impact among 200,000 assets and 20,000 dependencies)."""
    kind, key = target
    if kind in ("asset", "contractor"):
        hit = Dependency.objects.filter(**{f"{kind}_id": key})
    else:  # a site or role is named by hand: its edges compare the names without spaces
        hit = Dependency.objects.filter(kind=kind)
    graph = Graph({}, edges_of(hit) + edges_of(Dependency.objects.filter(kind=PROCESS)))
    rows = graph.reached_by_loss(target)
    graph.objectives = objectives([row["process"] for row in rows], on)
    return graph.judged(rows)


def objectives(process_ids, on=None) -> dict:
    """process -> (RTO, RPO) of its current impact analysis; of every process when
    `process_ids` is None."""
    processes = BusinessProcess.objects.all()
    if process_ids is not None:
        processes = processes.filter(pk__in=list(process_ids))
    return {pk: (rto, rpo) for pk, rto, rpo in processes.with_current_bia(
        on or timezone.localdate()).values_list("pk", "rto_hours", "rpo_hours")}


def edges_of(dependencies) -> list[Edge]:
    """The edges of the Dependency rows of a queryset, each asset's with its recovery (read
    for the assets those rows name only)."""
    rows = list(dependencies.values_list(*COLUMNS).iterator())
    assets = {row[3] for row in rows if row[3] is not None}
    recoveries = {asset: (hours, lost) for asset, hours, lost in AssetRecovery.objects.filter(
        asset__in=dependencies.filter(asset__isnull=False).values("asset_id")).values_list(
        "asset_id", "recovery_hours", "backup_interval_hours")} if assets else {}
    edges = []
    for (pk, process, kind, asset, contractor, upstream, name, hours, backup,
         alternative) in rows:
        alternative = bool(alternative.strip())
        if kind == PROCESS:
            edges.append(Edge(pk, process, ("process", upstream), alternative=alternative,
                              upstream=upstream))
        elif kind == Dependency.Kind.ASSET:
            shown, lost = recoveries.get(asset, (None, None))
            edges.append(Edge(pk, process, ("asset", asset), shown, lost, alternative))
        elif kind == Dependency.Kind.CONTRACTOR:
            edges.append(Edge(pk, process, ("contractor", contractor), hours, backup,
                              alternative))
        else:
            edges.append(Edge(pk, process, (kind, name.strip()), hours, backup, alternative))
    return edges


def accepted(on: datetime.date | None = None, dependencies=None) -> set[tuple[int, str]]:
    """(dependency, gap kind) pairs the CISO has accepted, the acceptance in force on
    `on`; of the `dependencies` (a queryset of them) only, when given."""
    on = on or timezone.localdate()
    acceptances = GapAcceptance.objects.filter(Q(expires_on__gte=on), accepted_on__lte=on)
    if dependencies is not None:
        acceptances = acceptances.filter(dependency__in=dependencies)
    return set(acceptances.values_list("dependency_id", "gap"))


def with_open_gaps(process_ids, on=None) -> set[int]:
    """Those of the processes that have a gap neither fixed nor accepted (check (d), and
    the CISO's My page), reading the part of the graph they reach."""
    process_ids = list(process_ids)
    return {gap.process for gap in open_gaps(load(on, objectives_for=process_ids),
                                             process_ids, on)}


def open_gaps(graph: Graph, process_ids, on=None) -> list[Gap]:
    """The gaps of the processes that are neither fixed (they compute no more) nor
    accepted."""
    taken = accepted(on)
    return [gap for process in process_ids for gap in graph.gaps(process)
            if (gap.dependency, gap.kind) not in taken]
