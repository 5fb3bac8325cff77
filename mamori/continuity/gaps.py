"""The gaps between what processes need and what their dependencies can do, computed from the
records each time (never stored, so a fixed gap disappears and a changed objective shows at
once), and the dependency impact view: what stops if one thing is lost.

The graph is small (processes and their dependencies, hundreds to a few thousand edges) and
processes may depend on each other in circles, which no aggregate query follows portably: it
is loaded in a constant number of queries (`load`) and walked here, in memory, with every walk
keeping the set of processes it has visited.

A process's dependency on another process recovers when everything that process needs has
recovered: its recovery time is the longest recovery among all it reaches, and the data it
may lose the most any of those may lose. A dependency with no alternative is a single point
of failure.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

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

    def reached(self, start: int) -> tuple[set, list]:
        """The processes `start` depends on, itself included, followed through circles,
        and the resource edges of all of them."""
        seen, stack, resources = {start}, [start], []
        while stack:
            for edge in self.by_process.get(stack.pop(), ()):
                if edge.upstream is None:
                    resources.append(edge)
                elif edge.upstream not in seen:
                    seen.add(edge.upstream)
                    stack.append(edge.upstream)
        return seen, resources

    def recovery(self, edge: Edge) -> tuple[Decimal | None, Decimal | None, bool]:
        """(recovery time, data lost, whether some recovery time is not shown) of one
        dependency: its own for a resource; for a process, the worst of all it reaches."""
        if edge.upstream is None:
            return edge.recovery, edge.data_loss, edge.recovery is None
        _processes, resources = self.reached(edge.upstream)
        times = [e.recovery for e in resources if e.recovery is not None]
        losses = [e.data_loss for e in resources if e.data_loss is not None]
        return (max(times, default=None), max(losses, default=None),
                any(e.recovery is None for e in resources))

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
        rows = []
        for process in stopped | degraded:
            rto = self.objectives.get(process, (None, None))[0]
            stops = process in stopped
            rows.append({"process": process, "stops": stops, "rto": rto,
                         "recovery": recovery, "depth": depth[process],
                         "through": through[process] & (stopped | {None}),
                         "misses_rto": stops and rto is not None and (
                             recovery is None or recovery > rto)})
        return rows


def load(processes=None, on: datetime.date | None = None) -> Graph:
    """The graph of every dependency (of the processes in `processes`, a queryset, and of
    the processes they reach), with each process's current objectives."""
    on = on or timezone.localdate()
    recoveries = {r.asset_id: r for r in AssetRecovery.objects.all().only(
        "asset_id", "recovery_hours", "backup_interval_hours")}
    edges = []
    rows = Dependency.objects.all().values_list(
        "id", "process_id", "kind", "asset_id", "contractor_id", "upstream_id", "name",
        "recovery_hours", "backup_interval_hours", "alternative")
    for (pk, process, kind, asset, contractor, upstream, name, hours, backup,
         alternative) in rows.iterator():
        alternative = bool(alternative.strip())
        if kind == PROCESS:
            edges.append(Edge(pk, process, ("process", upstream), alternative=alternative,
                              upstream=upstream))
        elif kind == Dependency.Kind.ASSET:
            shown = recoveries.get(asset)
            edges.append(Edge(pk, process, ("asset", asset),
                              shown.recovery_hours if shown else None,
                              shown.backup_interval_hours if shown else None, alternative))
        elif kind == Dependency.Kind.CONTRACTOR:
            edges.append(Edge(pk, process, ("contractor", contractor), hours, backup,
                              alternative))
        else:
            edges.append(Edge(pk, process, (kind, name.strip()), hours, backup, alternative))
    objectives = {
        pk: (rto, rpo) for pk, rto, rpo in BusinessProcess.objects.with_current_bia(on)
        .values_list("pk", "rto_hours", "rpo_hours")}
    return Graph(objectives, edges)


def accepted(on: datetime.date | None = None) -> set[tuple[int, str]]:
    """(dependency, gap kind) pairs the CISO has accepted, the acceptance in force on
    `on`."""
    on = on or timezone.localdate()
    return set(GapAcceptance.objects.filter(Q(expires_on__gte=on), accepted_on__lte=on)
               .values_list("dependency_id", "gap"))


def open_gaps(graph: Graph, process_ids, on=None) -> list[Gap]:
    """The gaps of the processes that are neither fixed (they compute no more) nor
    accepted."""
    taken = accepted(on)
    return [gap for process in process_ids for gap in graph.gaps(process)
            if (gap.dependency, gap.kind) not in taken]
