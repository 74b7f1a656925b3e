"""Process faults: a SIGKILL at a random training step or in the middle of a write, a full disk,
two builds on the same artifacts. Every victim is a real process (faults/probe.py)."""

from __future__ import annotations

import random
import time
from pathlib import Path
from typing import Callable

from ..common import atomic
from ..common.paths import project_root
from ..common.torch_files import TorchFileError, read_torch_file
from .kit import Bench, Outcome, Victim, changed, fault_case, snapshot
from .probe import PROBE, probe_params, probe_request
from .victims import reference, render_project, resume, run_folder, temporaries, trained

PROCESS = "process faults"
FULL_DISK_BYTES = 32_000  # RLIMIT_FSIZE of the full-disk run: above its config, below its models
REPORT_FULL_DISK_BYTES = 20_000  # below the rendered report's size


def _killed_mid_write(bench: Bench, file_name: str, occurrence: int) -> Outcome:
    """Kill the probe while it writes `file_name`; the file keeps its previous version (or stays
    absent), the temporary is swept, and the rerun ends with a never-killed run's metrics."""
    reference(bench)
    victim = Victim.start(["train", "--stall", file_name, "--stall-at", str(occurrence)])
    if victim.wait_for("STALLED") is None:
        victim.finish()
        return Outcome(False, 0, f"the victim never reached the write of {file_name}")
    victim.kill()
    folder = run_folder(bench.artifacts)
    target = folder / file_name
    lost = 0
    if target.exists():
        try:
            if target.suffix == ".pt":
                read_torch_file(target, file_name)
            elif not target.read_text().strip():
                lost += 1
        except TorchFileError:
            lost += 1
    debris = temporaries(bench.artifacts)
    swept = atomic.sweep_unfinished(bench.artifacts)
    ok, detail = resume(bench)
    lost += not ok
    state = "previous version intact" if target.exists() else "absent, as before the write"
    return Outcome(ok and len(swept) == len(debris) == 1 and lost == 0, lost,
                   f"killed with {file_name} half-written: {file_name} {state}, "
                   f"{len(swept)} temporary swept; {detail}")


@fault_case(PROCESS)
def sigkill_at_a_random_training_step(bench: Bench) -> Outcome:
    """SIGKILL at a random moment of the second epoch (a random batch, drawn with the campaign's
    seed); the rerun resumes from the last finished epoch and ends with a never-killed run's
    metrics."""
    reference(bench)
    delay = random.Random(bench.seed).uniform(0.1, 0.9) * bench.memo["epoch_seconds"]
    victim = Victim.start(["train"])
    victim.wait_for("EPOCH 1")
    time.sleep(delay)
    victim.kill()
    folder = run_folder(bench.artifacts)
    checkpoint = folder / "checkpoint.pt" if folder else None
    finished = len(read_torch_file(checkpoint, "checkpoint")["history"]) \
        if checkpoint and checkpoint.is_file() else 0
    ok, detail = resume(bench)
    return Outcome(ok and finished >= 1, 0 if ok else 1,
                   f"killed {delay:.2f} s after epoch 1 ended, with {finished} of {PROBE['epochs']} "
                   f"epochs finished; {detail}")


@fault_case(PROCESS)
def sigkill_while_writing_a_checkpoint(bench: Bench) -> Outcome:
    """SIGKILL halfway through writing the second epoch's checkpoint."""
    return _killed_mid_write(bench, "checkpoint.pt", 2)


@fault_case(PROCESS)
def sigkill_while_writing_a_metric_file(bench: Bench) -> Outcome:
    """SIGKILL halfway through writing metrics_test.txt (the run is not marked made)."""
    return _killed_mid_write(bench, "metrics_test.txt", 1)


@fault_case(PROCESS)
def sigkill_while_writing_the_run_result(bench: Bench) -> Outcome:
    """SIGKILL halfway through writing result.json, the file that marks a run as made."""
    return _killed_mid_write(bench, "result.json", 1)


@fault_case(PROCESS)
def full_disk_while_writing_a_model(bench: Bench) -> Outcome:
    """A full disk (RLIMIT_FSIZE) when the first model file is written: a clear error naming it,
    no half-written file, and the rerun (with space again) ends with a never-killed run's metrics."""
    reference(bench)
    probe_request(probe_params())  # the split is written before the disk fills up
    victim = Victim.start(["train", "--fsize-limit", str(FULL_DISK_BYTES)])
    code = victim.finish()
    error = victim.line("ERROR") or ""
    named = "could not write" in error and ".pt" in error and "disk is full" in error
    debris = temporaries(bench.artifacts)
    ok, detail = resume(bench)
    return Outcome(code == 1 and named and not debris and ok, 0 if ok else 1,
                   f"exit {code}: {error[:160]}; {len(debris)} temporary left; {detail}")


@fault_case(PROCESS)
def two_builds_at_once_on_one_run(bench: Bench) -> Outcome:
    """Two processes need the same run at once: one trains it, the other waits and reads it."""
    expected = reference(bench)
    victims = [Victim.start(["train"]) for _ in range(2)]
    codes = [victim.finish() for victim in victims]
    results = [trained(victim) for victim in victims]
    waited = sum("is being trained by another build or worker; waiting" in victim.output
                 for victim in victims)
    epochs = sorted(result[0] for result in results if result)
    same = all(result and result[1] == expected for result in results)
    return Outcome(codes == [0, 0] and epochs == [0, PROBE["epochs"]] and waited == 1 and same,
                   0 if same else 1,
                   f"epochs trained by each: {epochs}; {waited} waited; metrics identical: {same}")


# ---------------------------------------------------------------------------------------------
# The report


def _report(project: Path) -> Path:
    return project / "report" / PROBE["study"]


def _report_loads(folder: Path) -> bool:
    html = (folder / "index.html").read_text(errors="replace") if (folder / "index.html").is_file() else ""
    pdf = (folder / f"{PROBE['study']}.pdf").read_bytes() if (folder / f"{PROBE['study']}.pdf").is_file() else b""
    return html.rstrip().endswith("</html>") and pdf.startswith(b"%PDF") and b"%%EOF" in pdf[-1024:]


def _render_killed(bench: Bench, stage: str, kept: Callable[[Path], Path]) -> Outcome:
    """Kill a render stalled at `stage`; the previous report (where `kept` says it must be right
    after the kill) is unchanged, and the next render ends with a whole report."""
    project = render_project(bench, project_root())
    before = snapshot(_report(project))
    victim = Victim.start(["render", "--stall", stage], cwd=project)
    if victim.wait_for("STALLED") is None:
        victim.finish()
        return Outcome(False, 0, f"the render never reached its {stage} stage")
    victim.kill()
    lost = len(changed(before, snapshot(kept(_report(project)))))
    again = Victim.start(["render"], cwd=project)
    rendered = again.finish() == 0 and _report_loads(_report(project))
    return Outcome(lost == 0 and rendered, lost,
                   f"previous report intact at {kept(_report(project)).name} after the kill: "
                   f"{lost == 0}; the next render wrote a whole report: {rendered}")


@fault_case(PROCESS)
def sigkill_while_writing_the_report(bench: Bench) -> Outcome:
    """SIGKILL while the new report's PDF is half-written: the previous report is untouched where
    it was; the next render replaces it whole."""
    return _render_killed(bench, "pdf", lambda report: report)


@fault_case(PROCESS)
def sigkill_between_report_swaps(bench: Bench) -> Outcome:
    """SIGKILL after the previous report was moved aside and before the new one moved in: the
    previous report waits intact beside it and the next render puts it back before rendering."""
    return _render_killed(bench, "swap", lambda report: report.with_name(f".{report.name}.previous"))


@fault_case(PROCESS)
def full_disk_while_writing_the_report(bench: Bench) -> Outcome:
    """A full disk (RLIMIT_FSIZE) while rendering: a clear error, the previous report untouched."""
    project = render_project(bench, project_root())
    before = snapshot(_report(project))
    victim = Victim.start(["render", "--fsize-limit", str(REPORT_FULL_DISK_BYTES)], cwd=project)
    code = victim.finish()
    error = victim.output[victim.output.find("ERROR"):] if "ERROR" in victim.output else ""
    lost = len(changed(before, snapshot(_report(project))))
    staging = list((project / "report").glob(".*staging*"))
    named = "File too large" in error and "previous report" in error and "is unchanged" in error
    return Outcome(code == 1 and named and lost == 0 and not staging, lost,
                   f"exit {code}: {error[:200]}")
