"""One result row per measured ratio, and the Markdown table run.py prints."""

from dataclasses import dataclass

from measure import Summary


@dataclass
class Row:
    name: str            # what was measured
    measured: object     # Summary, or a plain number for counts
    baseline: object     # Summary, number, or None when there is no baseline
    unit: str            # "ms", "MiB", "reads", ...
    goal: str            # the target, in words
    goal_met: object     # True/False, or None for a figure with no goal
    acceptance: str = ""       # the pass/fail bar, if this row has one
    accepted: object = None    # True/False when there is a bar
    note: str = ""
    secondary: bool = False    # listed after every headline row

    @property
    def ratio(self):
        if isinstance(self.baseline, Summary) and isinstance(self.measured, Summary):
            return self.measured.median / self.baseline.median if self.baseline.median else None
        return None


def cell(value, unit):
    if value is None:
        return "-"
    if isinstance(value, Summary):
        digits = 2 if value.median < 10 else 1
        return "%.*f [%.*f-%.*f] %s" % (digits, value.median, digits, value.low,
                                        digits, value.high, unit)
    if isinstance(value, float):
        return "%.2f %s" % (value, unit)
    return "%s %s" % (value, unit)


def verdict(row):
    if row.goal_met is None:
        return "-"
    text = "met" if row.goal_met else "MISSED"
    if row.accepted is not None:
        text += ", accept %s" % ("pass" if row.accepted else "FAIL")
    return text


def render(rows):
    """Markdown table: value as median [min-max] over the repetitions."""
    header = ("Benchmark", "kut-load", "Baseline", "Ratio", "Goal", "Result")
    lines = [header]
    rows = [row for row in rows if not row.secondary] + [row for row in rows if row.secondary]
    for row in rows:
        ratio = "%.2fx" % row.ratio if row.ratio is not None else "-"
        lines.append((row.name, cell(row.measured, row.unit), cell(row.baseline, row.unit),
                      ratio, row.goal + (" (accept: %s)" % row.acceptance
                                         if row.acceptance else ""),
                      verdict(row)))
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    out = []
    for number, line in enumerate(lines):
        out.append("| " + " | ".join(text.ljust(width) for text, width in zip(line, widths))
                   + " |")
        if number == 0:
            out.append("|" + "|".join("-" * (width + 2) for width in widths) + "|")
    notes = ["- %s: %s" % (row.name, row.note) for row in rows if row.note]
    return "\n".join(out + ([""] + notes if notes else []))
