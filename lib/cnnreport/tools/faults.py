"""The fault campaign: every fault class on small real data, and the table of what survived.

    python -m cnnreport.tools.faults [--only CLASS ...] [--seed 42] [--keep]

Needs the data root (CNNREPORT_DATA_ROOT) with real MNIST and the animals photos. Each case works in
its own temporary folder (kept with --keep); the checkout's artifacts/ and report/ are not touched.
Exit code 1 when a case did not survive or lost a result.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from ..common.paths import DATA_ROOT_ENV
from ..faults.campaign import all_cases, results_table, run_campaign


def main(argv: list[str] | None = None) -> int:
    classes = sorted({case.fault_class for case in all_cases()})
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=classes, metavar="CLASS",
                        help=f"fault classes to run (default all): {', '.join(classes)}")
    parser.add_argument("--seed", type=int, default=42, help="the random kill moment")
    parser.add_argument("--keep", action="store_true", help="keep the cases' folders")
    arguments = parser.parse_args(argv)
    data_root = Path(os.environ.get(DATA_ROOT_ENV, "data"))
    if not (data_root / "MNIST" / "raw").is_dir():
        parser.error(f"MNIST not found under {data_root}: set {DATA_ROOT_ENV}")
    started = time.perf_counter()
    workdir = Path(tempfile.mkdtemp(prefix="cnnreport-faults-"))
    results = run_campaign(workdir, data_root, arguments.only, arguments.seed)
    print(f"\n{results_table(results)}\n\n{len(results)} cases in "
          f"{time.perf_counter() - started:.0f} s; case folders: "
          f"{workdir if arguments.keep else 'removed'}")
    if not arguments.keep:
        import shutil

        shutil.rmtree(workdir, ignore_errors=True)
    failed = [r for r in results if not r.outcome.survived or r.outcome.lost]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
