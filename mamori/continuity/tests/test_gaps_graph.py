"""The gap computation and the dependency impact view over random dependency graphs,
circles included, against a plain transitive closure computed independently."""

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from mamori.continuity.gaps import Edge, Graph

PROCESSES = range(6)
RESOURCES = [("asset", n) for n in range(4)]


@st.composite
def graphs(draw):
    edges = []
    for pk in range(draw(st.integers(0, 25))):
        process = draw(st.sampled_from(PROCESSES))
        alternative = draw(st.booleans())
        if draw(st.booleans()):
            upstream = draw(st.sampled_from(PROCESSES))  # circles and self-loops allowed
            edges.append(Edge(pk, process, ("process", upstream), alternative=alternative,
                              upstream=upstream))
        else:
            target = draw(st.sampled_from(RESOURCES))
            recovery = draw(st.none() | st.integers(0, 48).map(Decimal))
            edges.append(Edge(pk, process, target, recovery, Decimal(target[1]),
                              alternative))
    objectives = {p: (draw(st.none() | st.integers(0, 48).map(Decimal)), Decimal(1))
                  for p in PROCESSES}
    return Graph(objectives, edges)


def closure(graph) -> dict:
    """process -> the processes it reaches through process dependencies (itself too)."""
    reach = {p: {p} for p in PROCESSES}
    changed = True
    while changed:
        changed = False
        for edge in graph.edges:
            if edge.upstream is not None:
                new = reach[edge.upstream] - reach[edge.process]
                if new:
                    reach[edge.process] |= new
                    changed = True
    return reach


@settings(max_examples=200, deadline=None)
@given(graphs())
def test_a_process_dependency_recovers_with_the_slowest_resource_it_reaches(graph):
    reach = closure(graph)
    for edge in graph.edges:
        if edge.upstream is None:
            continue
        leaves = [e for e in graph.edges if e.upstream is None and e.process in reach[
            edge.upstream]]
        known = [e.recovery for e in leaves if e.recovery is not None]
        time, _loss, unknown = graph.recovery(edge)
        assert time == (max(known) if known else None)
        assert unknown == any(e.recovery is None for e in leaves)


@settings(max_examples=200, deadline=None)
@given(graphs())
def test_gaps_are_exactly_the_shortfalls(graph):
    for process in PROCESSES:
        rto, rpo = graph.objectives[process]
        found = {(g.dependency, g.kind) for g in graph.gaps(process)}
        for edge in graph.by_process.get(process, ()):
            time, loss, unknown = graph.recovery(edge)
            assert ((edge.id, "single_point") in found) == (not edge.alternative)
            assert ((edge.id, "rto") in found) == (
                rto is not None and time is not None and time > rto)
            assert ((edge.id, "unknown") in found) == (rto is not None and unknown)
            assert ((edge.id, "rpo") in found) == (loss is not None and loss > rpo)


@settings(max_examples=200, deadline=None)
@given(graphs(), st.sampled_from(RESOURCES))
def test_a_process_stops_when_every_link_to_the_loss_lacks_an_alternative(graph, lost):
    rows = {row["process"]: row for row in graph.impact_of(lost)}
    # Independently: the processes with a path to the loss whose edges all lack an
    # alternative (a fixed point over the edges).
    stops = {e.process for e in graph.edges if e.upstream is None and e.target == lost
             and not e.alternative}
    changed = True
    while changed:
        changed = False
        for e in graph.edges:
            if e.upstream in stops and not e.alternative and e.process not in stops:
                stops.add(e.process)
                changed = True
    assert {p for p, row in rows.items() if row["stops"]} == stops
    for process, row in rows.items():
        rto = graph.objectives[process][0]
        assert row["misses_rto"] == (row["stops"] and rto is not None and (
            row["recovery"] is None or row["recovery"] > rto))


def test_a_circle_of_processes_ends():
    edges = [Edge(1, 0, ("process", 1), upstream=1), Edge(2, 1, ("process", 0), upstream=0),
             Edge(3, 1, ("asset", 9), Decimal(5), Decimal(0))]
    graph = Graph({0: (Decimal(4), None), 1: (Decimal(8), None)}, edges)
    assert [g.kind for g in graph.gaps(0)] == ["single_point", "rto"]
    assert {row["process"] for row in graph.impact_of(("asset", 9))} == {0, 1}
