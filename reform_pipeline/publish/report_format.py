"""Labels and number formats of the scorecard reports (publish/report.py): Vietnamese with English
beside it; a metric's value shown by its kind in the metric catalogue (docs/spec §4.4)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

STATUS_LABELS = {
    "met": ("Đạt", "met"),
    "not_met": ("Chưa đạt", "not met"),
    "no_data": ("Không có số liệu", "no data"),
}

KIND_LABELS = {
    "province": ("Cấp tỉnh", "province"),
    "department": ("Sở, ngành", "department"),
    "district": ("Cấp huyện", "district"),
    "commune": ("Cấp xã", "commune"),
    "ward": ("Phường", "ward"),
    "center": ("Trung tâm", "center"),
    "division": ("Phòng, ban", "division"),
}

# Which unit tree a number comes from (docs/spec §4.7; score.scorecard's `tree`): today's units,
# with the history of the units that ended restated on the units that took them over, or the tree
# as it was when the dossiers were received. TREE_SHORT is for the terminal table.
CURRENT, AS_WAS = "current", "as_was"
TREE_LABELS = {
    CURRENT: ("Cây đơn vị hiện nay (số liệu quy đổi)", "today's units (restated)"),
    AS_WAS: ("Cây đơn vị tại thời điểm tiếp nhận", "tree as it was"),
}
TREE_SHORT = {CURRENT: "hiện nay/today", AS_WAS: "khi tiếp nhận/as was"}

# The kinds of meta.metric_catalogue (docs/spec §4.4): what a metric's value holds, hence how it
# is shown; RANK is a national ranking's rank target (docs/spec §2.7, meta.ranking_indices). A code
# the catalogue does not know is shown as a rate.
COUNT, RATE, WORKING_DAYS, RANK = "count", "rate", "working_days", "rank"


def bilingual(pair: tuple[str, str]) -> str:
    return f"{pair[0]} / {pair[1]}"


def units_line(alive: int, ended: int, as_of: str | None) -> tuple[str, str]:
    """The "about the units" line (model.units): the units of today's tree, and how many ended."""
    at_vi = f" tại ngày {as_of}" if as_of else ""
    at_en = f" at {as_of}" if as_of else ""
    return (
        f"{alive:,} đơn vị đang hoạt động{at_vi}, {ended:,} đơn vị đã kết thúc",
        f"{alive:,} units alive{at_en}, {ended:,} units ended",
    )


def status_label(status: str) -> str:
    return bilingual(STATUS_LABELS.get(status, (status, status)))


def tree_label(tree: str) -> tuple[str, str]:
    """(Vietnamese, English) name of a tree code ('current', 'as_was'); the code if unknown."""
    return TREE_LABELS.get(tree, (tree, tree))


MINUS = "\u2212"  # a typographic minus: −5.0 %, not -5.0 %


def signed(text: str) -> str:
    """A formatted number with a typographic minus; no sign on what rounds to zero (−0.0 %)."""
    if not text.startswith("-"):
        return text
    if not any(ch in "123456789" for ch in text):
        return text[1:]
    return MINUS + text[1:]


def _trim(number: float, decimals: int) -> str:
    text = f"{number:.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def format_value(kind: str, value: Any, decimals: int = 1) -> str:
    """A measured value of a metric of ``kind`` (meta.metric_catalogue) for humans: 87.3 % for
    rates, 1,234 for counts, 4.5 ngày for working days."""
    if value is None:
        return "—"
    number = float(value)
    if kind == COUNT:
        return signed(f"{number:,.0f}")
    if kind == RANK:
        return f"hạng {number:,.0f}"
    if kind == WORKING_DAYS:
        return signed(f"{number:.1f}") + " ngày"
    return signed(f"{number * 100:.{decimals}f}") + " %"


def format_rank(rank: Any, provinces: Any) -> str:
    """A national rank out of the provinces ranked (docs/spec §2.7): hạng 10/63."""
    if rank is None:
        return "—"
    return f"hạng {int(rank)}/{int(provinces)}" if provinces is not None else f"hạng {int(rank)}"


def format_change(kind: str, change: Any) -> str:
    """A change against the previous year, always signed: +1.2 điểm % (percentage points) for a
    rate, +1,234 for a count, −0.4 ngày for working days; — when there is none."""
    if change is None:
        return "—"
    number = float(change)
    if kind == COUNT:
        text = f"{number:+,.0f}"
    elif kind == WORKING_DAYS:
        text = f"{number:+.1f} ngày"
    else:
        text = f"{number * 100:+.1f} điểm %"
    if not any(ch in "123456789" for ch in text.split(" ")[0]):
        return text[1:]  # what rounds to zero has no direction
    return text.replace("-", MINUS)


def format_target(kind: str, comparator: str, target: Any) -> str:
    """A target as the plan states it: > 90 %, >= 30 %, <= 5 ngày."""
    if target is None:
        return "—"
    number = float(target)
    if kind == COUNT:
        shown = signed(f"{number:,.0f}")
    elif kind == RANK:
        shown = f"hạng {number:,.0f}"
    elif kind == WORKING_DAYS:
        shown = f"{signed(_trim(number, 2))} ngày"
    else:
        shown = f"{signed(_trim(number * 100, 2))} %"
    return f"{comparator} {shown}"


def format_measured(kind: str, value: Any, target: Any) -> str:
    """Like format_value, with one more decimal where one decimal would look equal to the target."""
    shown = format_value(kind, value)
    if value is None or target is None or kind in (COUNT, RANK):
        return shown
    if float(value) != float(target) and shown == format_value(kind, target):
        return format_value(kind, value, decimals=2)
    return shown


def format_points(points: Any) -> str:
    return "—" if points is None else signed(f"{float(points):.2f}")


def fraction(numerator: Any, denominator: Any) -> str:
    if numerator is None and denominator is None:
        return "—"
    left = "—" if numerator is None else signed(f"{int(numerator):,}")
    right = "—" if denominator is None else signed(f"{int(denominator):,}")
    return f"{left} / {right}"


def axis_label(kind: str, value: float) -> str:
    if kind in (COUNT, RANK):
        return signed(f"{value:,.0f}")
    if kind == WORKING_DAYS:
        return signed(_trim(value, 1))
    return f"{signed(_trim(value * 100, 0))} %"


def holds(value: float, comparator: str, target: float) -> bool:
    return {
        ">": value > target,
        ">=": value >= target,
        "<": value < target,
        "<=": value <= target,
    }.get(comparator, False)


def higher_is_better(comparator: str) -> bool:
    return comparator in (">", ">=")


# The reason codes of the quarantine (docs/spec §2.1, "Quarantine and reason codes").
REASON_LABELS = {
    "bad_encoding": ("Sai bảng mã ký tự", "bytes not valid in the file's encoding"),
    "malformed_row": ("Dòng sai số cột", "row with a wrong number of fields"),
    "missing_required": ("Thiếu giá trị bắt buộc", "a required value is empty"),
    "bad_timestamp": ("Ngày giờ không hợp lệ", "unreadable or impossible timestamp"),
    "bad_code": ("Mã ngoài danh mục", "code outside its list"),
    "bad_number": ("Số không hợp lệ", "invalid number"),
    "unknown_agency": ("Đơn vị không có trong cây đơn vị", "unknown unit"),
    "unknown_procedure": ("Thủ tục không có trong danh mục", "unknown procedure"),
    "inconsistent_dates": ("Ngày tháng mâu thuẫn", "inconsistent dates"),
}

# The kinds of input files (docs/spec §2) and what became of a file (docs/spec §5 run_info).
INPUT_KIND_LABELS = {
    "dossiers": ("Hồ sơ", "dossier exports"),
    "procedures": ("Danh mục thủ tục", "procedure catalogue"),
    "agencies": ("Cây đơn vị", "unit tree"),
    "calendar": ("Lịch làm việc", "calendar"),
    "targets": ("Chỉ tiêu kế hoạch", "plan targets"),
    "unit_changes": ("Sắp xếp đơn vị", "unit changes"),
    "rankings": ("Xếp hạng quốc gia", "national rankings"),
}
FILE_STATUS_LABELS = {
    "ingested": ("Đã đọc", "ingested"),
    "duplicate": ("Trùng nội dung", "duplicate"),
    "unreadable": ("Không đọc được", "unreadable"),
    "skipped": ("Bỏ qua", "skipped"),
}
AS_OF_SOURCE_LABELS = {
    "REFORM_AS_OF": ("đặt bởi REFORM_AS_OF", "set by REFORM_AS_OF"),
    "latest date in the data": ("ngày mới nhất trong dữ liệu", "the latest date in the data"),
    "today (no valid dossier dates)": ("hôm nay (không có ngày hồ sơ hợp lệ)", "today (no valid dossier dates)"),
}


def label_of(labels: dict[str, tuple[str, str]], code: str | None) -> tuple[str, str]:
    """(Vietnamese, English) label of a code; the code itself when the table does not know it."""
    if code is None:
        return ("—", "—")
    return labels.get(code, (code, code))


# Vietnam has kept UTC+07:00 since 1975, with no daylight saving time: the fixed offset stands in
# where the system has no time-zone database.
try:
    VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
except ZoneInfoNotFoundError:  # pragma: no cover - depends on the machine
    VIETNAM = dt.timezone(dt.timedelta(hours=7), "UTC+07:00")


def format_built_at(moment: dt.datetime) -> str:
    """A build time in Vietnam with its offset: 2026-12-06 07:15 (UTC+07:00)."""
    local = moment.astimezone(VIETNAM)
    offset = local.strftime("%z")
    return f"{local:%Y-%m-%d %H:%M} (UTC{offset[:3]}:{offset[3:]})"
