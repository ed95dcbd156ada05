"""The dashboard's pictures: matplotlib (Agg, no pyplot state) rendered to SVG on the server.

Each function takes plain data (from frontend.dashboard) and returns an SVG document as
text. Text stays text in the SVG (svg.fonttype none) so it is crisp and small; user text
(label names) is escaped by matplotlib's SVG writer, math parsing is off so a `$` in a
label name cannot break a chart, and the pictures are served through <img>, where an
SVG can run nothing.
"""
import io
import re

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure  # noqa: E402  (after choosing the backend)
from matplotlib.ticker import MaxNLocator  # noqa: E402

INK = "#1f2937"
MUTED = "#6b7280"
GRID = "#e5e7eb"
ACCENT = "#4f46e5"
ACCENT_2 = "#0891b2"
WARN = "#dc2626"
HEX_COLOR = re.compile(r"#[0-9a-fA-F]{6}")

STYLE = {
    "svg.fonttype": "none",
    "svg.hashsalt": "looplabel",
    "text.parse_math": False,
    "font.family": "sans-serif",
    "font.sans-serif": ["Inter", "Segoe UI", "Helvetica", "Arial", "DejaVu Sans"],
    "font.size": 10,
    "axes.edgecolor": GRID,
    "axes.labelcolor": MUTED,
    "axes.titlesize": 11,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "xtick.color": MUTED,
    "ytick.color": MUTED,
    "axes.grid": True,
    "grid.color": GRID,
    "grid.linewidth": 0.8,
    "legend.frameon": False,
}
SIZE = (5.6, 2.9)
MIN_TIME_SPAN_DAYS = 2 / 24


def _figure():
    figure = Figure(figsize=SIZE, dpi=100, layout="constrained")
    return figure, figure.add_subplot()


def _svg(figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None}, transparent=True)
    return buffer.getvalue()


def _empty(axes, message):
    axes.set_axis_off()
    axes.text(0.5, 0.5, message, ha="center", va="center", color=MUTED, transform=axes.transAxes, wrap=True)


def safe_color(value, default=ACCENT):
    return value if isinstance(value, str) and HEX_COLOR.fullmatch(value) else default


def learning_curve_svg(points) -> str:
    """Validation macro-F1 (and accuracy) against the labels each model version learned from."""
    with matplotlib.rc_context(STYLE):
        figure, axes = _figure()
        scored = [p for p in points if p.get("macro_f1") is not None]
        if not scored:
            _empty(axes, "No model yet: the curve starts with the first trained model."
                   if not points else "The models have no validation scores yet.")
            return _svg(figure)
        xs = [p["labels"] for p in scored]
        axes.plot(xs, [p["macro_f1"] for p in scored], marker="o", color=ACCENT, linewidth=2, label="macro-F1")
        accuracy = [(p["labels"], p["accuracy"]) for p in scored if p.get("accuracy") is not None]
        if accuracy:
            axes.plot(*zip(*accuracy), marker=".", linestyle="--", color=ACCENT_2, linewidth=1.2, label="accuracy")
        for p in scored:
            axes.annotate(f"v{p['version']}", (p["labels"], p["macro_f1"]), textcoords="offset points",
                          xytext=(0, 7), ha="center", fontsize=8, color=MUTED)
        axes.set_ylim(0, 1.05)
        low, high = min(xs), max(xs)
        pad = max((high - low) * 0.08, 1)
        axes.set_xlim(max(low - pad, 0), high + pad)
        axes.set_xlabel("labels used for training")
        axes.set_ylabel("validation score")
        axes.legend(loc="lower right", fontsize=8)
        return _svg(figure)


def budget_burn_svg(cumulative, budget, used, projected, now) -> str:
    """Labels used over time against the budget line, with the projection at the current pace."""
    with matplotlib.rc_context(STYLE):
        figure, axes = _figure()
        if not cumulative:
            _empty(axes, "No labels yet.")
            return _svg(figure)
        times = [t for t, _ in cumulative]
        counts = [c for _, c in cumulative]
        if times[-1] < now:
            times.append(now)
            counts.append(counts[-1])
        axes.plot(times, counts, color=ACCENT, linewidth=2, label="labels used")
        axes.fill_between(times, counts, color=ACCENT, alpha=0.08)
        if budget:
            axes.axhline(budget, color=WARN, linestyle="--", linewidth=1.2, label=f"budget ({budget})")
            if projected is not None and projected > now:
                axes.plot([now, projected], [used, budget], color=MUTED, linestyle=":", linewidth=1.5,
                          label="projection")
        axes.set_ylim(bottom=0)
        axes.set_ylabel("labels")
        low, high = axes.get_xlim()
        if high - low < MIN_TIME_SPAN_DAYS:  # minutes of history: show at least two hours
            axes.set_xlim(high - MIN_TIME_SPAN_DAYS, high)
        _date_axis(axes)
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.legend(loc="lower right", fontsize=8)
        return _svg(figure)


def labels_per_hour_svg(series) -> str:
    """Bars: labels made in each hour of the last day."""
    with matplotlib.rc_context(STYLE):
        figure, axes = _figure()
        if not series or not any(count for _, count in series):
            _empty(axes, "No labels in the last 24 hours.")
            return _svg(figure)
        positions = range(len(series))
        axes.bar(positions, [count for _, count in series], color=ACCENT, width=0.8)
        ticks = [i for i in positions if (len(series) - 1 - i) % 3 == 0]
        axes.set_xticks(ticks, [series[i][0].strftime("%H:00") for i in ticks], fontsize=8)
        axes.grid(axis="x", visible=False)
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_ylabel("labels per hour")
        axes.set_xlabel("hour (UTC)")
        return _svg(figure)


def label_distribution_svg(labels) -> str:
    """Horizontal bars per label, in each label's colour."""
    with matplotlib.rc_context(STYLE):
        figure, axes = _figure()
        if not labels or not any(row["count"] for row in labels):
            _empty(axes, "No labels yet.")
            return _svg(figure)
        names = [_short(row["label"]) for row in labels][::-1]
        counts = [row["count"] for row in labels][::-1]
        colors = [safe_color(row.get("color")) for row in labels][::-1]
        bars = axes.barh(range(len(names)), counts, color=colors, height=0.6)
        axes.set_yticks(range(len(names)), names)
        axes.bar_label(bars, padding=3, color=INK, fontsize=9)
        axes.set_xlim(0, max(counts) * 1.15 + 1)
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.grid(axis="y", visible=False)
        axes.set_xlabel("labels")
        return _svg(figure)


def _short(text, limit=24):
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _date_axis(axes):
    from matplotlib.dates import AutoDateLocator, DateFormatter

    low, high = axes.get_xlim()  # in days
    axes.xaxis.set_major_locator(AutoDateLocator(minticks=3, maxticks=6))
    axes.xaxis.set_major_formatter(DateFormatter("%d %b" if high - low > 2 else "%H:%M"))
