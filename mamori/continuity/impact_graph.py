"""The dependency impact view's graph: the lost thing on the left, then the processes it
stops or degrades, one column per step away from it, each joined to what it is hit through.
Laid out here and drawn as plain SVG by the template (no script: the pages run under a strict
Content Security Policy)."""

from collections import defaultdict

COLUMN = 220  # px between columns
ROW = 52  # px between nodes of a column
NODE_WIDTH, NODE_HEIGHT = 190, 36
MARGIN = 16


def layout(target_label: str, rows: list[dict]) -> dict:
    columns = defaultdict(list)
    for row in sorted(rows, key=lambda r: (r["depth"], r["object"].code)):
        columns[row["depth"]].append(row)
    place = {None: (MARGIN, MARGIN)}
    nodes = [{"x": MARGIN, "y": MARGIN, "label": target_label[:28], "tone": "lost",
              "url": ""}]
    for depth, members in sorted(columns.items()):
        for index, row in enumerate(members):
            x, y = MARGIN + depth * COLUMN, MARGIN + index * ROW
            place[row["process"]] = (x, y)
            tone = "missed" if row["misses_rto"] else "stops" if row["stops"] else "degraded"
            label = f"{row['object'].code} {row['object'].name}"
            nodes.append({"x": x, "y": y, "label": label[:28], "tone": tone,
                          "url": row["object"].get_absolute_url() if row["visible"] else ""})
    edges = []
    for row in rows:
        x2, y2 = place[row["process"]]
        for source in sorted(row["through"], key=lambda s: (s is not None, s or 0)):
            if source not in place:
                continue
            x1, y1 = place[source]
            edges.append({"x1": x1 + NODE_WIDTH, "y1": y1 + NODE_HEIGHT // 2, "x2": x2,
                          "y2": y2 + NODE_HEIGHT // 2})
    deepest = max(columns, default=0)
    tallest = max((len(m) for m in columns.values()), default=1)
    return {"nodes": nodes, "edges": edges, "node_width": NODE_WIDTH,
            "node_height": NODE_HEIGHT,
            "width": 2 * MARGIN + deepest * COLUMN + NODE_WIDTH,
            "height": 2 * MARGIN + (tallest - 1) * ROW + NODE_HEIGHT}
