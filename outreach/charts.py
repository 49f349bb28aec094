"""The report charts, drawn on the server: one PNG serves the dashboard, the e-mail and the PDF.

matplotlib's object API (no pyplot, no global state) is safe in threads and workers; the
Agg canvas needs no display. Labels follow the active language and Indonesian number and
date formats.
"""

from __future__ import annotations

import datetime
import io
from typing import TYPE_CHECKING

from django.utils.dateformat import format as date_format
from django.utils.formats import number_format
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from matplotlib.figure import Figure

BAR = "#0d6efd"
TARGET = "#dc3545"
LINE = "#198754"
SIZE = (5.2, 3.6)  # inches at 100 dpi: 520 × 360 px; large type so it stays legible on a phone
FONT = 11
LABEL_EVERY = 3  # weeks between labelled Mondays on the weekly chart


def preload() -> None:
    """Import matplotlib now, in a process that will draw (see `reports.preload`, which web and
    Celery workers call at start)."""
    import matplotlib.dates
    import matplotlib.figure
    import matplotlib.ticker  # noqa: F401


def _figure() -> tuple[Figure, object]:
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    figure = Figure(figsize=SIZE, dpi=100, layout="constrained")
    axes = figure.add_subplot()
    axes.spines[["top", "right"]].set_visible(False)
    axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _pos: number_format(int(value), force_grouping=True)))
    axes.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
    axes.grid(axis="y", color="#dee2e6", linewidth=0.8)
    axes.tick_params(labelsize=FONT)
    axes.set_axisbelow(True)
    return figure, axes


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def _day(day: datetime.date) -> str:
    return date_format(day, "j M")


def weekly_chart(weeks: list[tuple[datetime.date, int]], required_per_week: int | None) -> bytes:
    """Successes per week (bars, labelled by the week's Monday) against the weekly pace needed."""
    figure, axes = _figure()
    positions = range(len(weeks))
    axes.bar(positions, [count for _week, count in weeks], color=BAR, label=_("Berhasil per minggu"))
    # Every third Monday is labelled, counting back from the last: beside a national axis's
    # wide numbers, every other date still ran into the next.
    labels = [_day(week) if (len(weeks) - 1 - n) % LABEL_EVERY == 0 else "" for n, (week, _count) in enumerate(weeks)]
    axes.set_xticks(list(positions), labels)
    if required_per_week is not None:
        axes.axhline(required_per_week, color=TARGET, linestyle="--", linewidth=1.5,
                     label=_("Perlu per minggu: %s") % number_format(required_per_week, force_grouping=True))
    axes.set_ylim(bottom=0)
    axes.set_title(_("Berhasil per minggu dan laju yang diperlukan"), fontsize=FONT + 2, loc="left")
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2, fontsize=FONT, frameon=False)
    return _png(figure)


def cumulative_chart(points: list[tuple[datetime.date, int]], target_count: int | None,
                     due: datetime.date | None) -> bytes:
    """Estimated achievement over time against the target line, with the straight path from the
    latest point to the target on its due date."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    figure, axes = _figure()
    days = [day for day, _count in points]
    axes.plot(days, [count for _day_, count in points], color=LINE, linewidth=2, marker="o", markersize=3,
              label=_("Capaian"))
    if target_count is not None:
        axes.axhline(target_count, color=TARGET, linestyle="--", linewidth=1.5,
                     label=_("Target: %s") % number_format(target_count, force_grouping=True))
        if due is not None and points and points[-1][1] < target_count and due > points[-1][0]:
            axes.plot([points[-1][0], due], [points[-1][1], target_count], color=TARGET, linestyle=":",
                      linewidth=1.2, label=_("Jalur yang diperlukan"))
    axes.xaxis.set_major_formatter(FuncFormatter(lambda value, _pos: _day(_num_to_date(value))))
    axes.xaxis.set_major_locator(MaxNLocator(nbins=5))
    axes.set_ylim(bottom=0)
    axes.set_title(_("Capaian kumulatif terhadap target"), fontsize=FONT + 2, loc="left")
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2, fontsize=FONT, frameon=False)
    return _png(figure)


def _num_to_date(value: float) -> datetime.date:
    from matplotlib.dates import num2date

    return num2date(value).date()
