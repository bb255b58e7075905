"""The first kut-load over a slow link: QEMU behind a loopback proxy that
adds 20 ms each way (a 40 ms round trip), against add-symbol-file over the
same link. Every packet kut-load sends beyond add-symbol-file's shows here
as 40 ms; bench_packets.py lists them."""

import sys

from bench_first_load import variants
from delay_proxy import DelayLink
from guests import arm64_guests
from measure import interleaved, summarize
from table import Row

REPEAT = 5
ONE_WAY = 0.020
ROUND_TRIP_MS = 2 * ONE_WAY * 1000


def link(port):
    return DelayLink(port, one_way=ONE_WAY)


def rows_for(label, elf, flat, repeat):
    runs = interleaved(variants(elf, flat, link=link), repeat, warmup=1)
    inside = {key: summarize([seconds * 1000 for _, seconds in runs[key]]) for key in runs}
    extra = inside["kut"].median - inside["floor"].median
    return Row("first load + info line main over a %.0f ms link, %s guest, inside gdb"
               % (ROUND_TRIP_MS, label), inside["kut"], inside["floor"], "ms",
               "informational", None,
               note="kut-load adds %.0f ms, the time of %.1f round trips"
                    % (extra, extra / ROUND_TRIP_MS))


def run(repeat=REPEAT):
    guests = arm64_guests()
    return [rows_for(label, *guests[label], repeat) for label in ("real-size", "sample")]


if __name__ == "__main__":
    from table import render
    print(render(run(int(sys.argv[1]) if len(sys.argv) > 1 else REPEAT)))
