"""Chapter kernels kept warm: each chapter worker owns one kernel and executes its chapters in it.

A fresh kernel per chapter pays, every time, for starting the kernel, importing torch, pandas,
matplotlib and the package, and loading UMAP's numba code: 6 to 9 s per chapter on 2 CPU cores.
A warm kernel pays that once per worker; before each further chapter it gets an empty namespace,
execution count 1 and no open figures (`FRESH_NAMESPACE`), so a chapter reads nothing a previous
one left behind. Modules stay imported: the package holds no state that one chapter could leave
for another (its caches are keyed by what they hold). A chapter that fails takes its kernel with it.

Workers are threads that each start, use and shut down their own kernel: jupyter's asynchronous
kernel manager belongs to the event loop of the thread that started it. Kernels talk over Unix
sockets in a private temporary folder, not over TCP on localhost.
"""

from __future__ import annotations

import queue
import shutil
import tempfile
import threading
from concurrent.futures import Future, wait
from pathlib import Path
from typing import Callable, Sequence, TypeVar

from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines
from papermill.log import logger
from papermill.utils import remove_args

ENGINE_NAME = "cnnreport-warm-kernel"
START_TIMEOUT_S = 120  # a kernel importing nothing yet; generous for a busy 2-core machine
FRESH_NAMESPACE = """\
get_ipython().reset(new_session=True)
import sys
if "matplotlib.pyplot" in sys.modules:
    sys.modules["matplotlib.pyplot"].close("all")
del sys
"""

Item = TypeVar("Item")


class KernelError(RuntimeError):
    """A warm kernel could not start or could not be reset; the message says which step."""


class _WarmClient(PapermillNotebookClient):
    """papermill's client on a kernel it does not own: closes its channels, leaves the kernel."""

    def execute(self, **kwargs):
        try:
            return super().execute(**kwargs)
        finally:
            if self.kc is not None:
                self.kc.stop_channels()
                self.kc = None


class WarmKernelEngine(NBClientEngine):
    """papermill's nbclient engine, executing in the kernel manager passed as `km`."""

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                 stderr_file=None, start_timeout=60, execution_timeout=None,
                                 **kwargs):
        kwargs = remove_args(["input_path", "timeout", "startup_timeout"], **kwargs)
        return _WarmClient(nb_man, timeout=execution_timeout, startup_timeout=start_timeout,
                           kernel_name=kernel_name, log=logger, log_output=log_output,
                           stdout_file=stdout_file, stderr_file=stderr_file, **kwargs).execute()


papermill_engines.register(ENGINE_NAME, WarmKernelEngine)


class WarmKernel:
    """One kernel, started on first use in the calling thread and reused for chapter after
    chapter; use and close it from that thread only."""

    def __init__(self, kernel_name: str, cwd: Path):
        self.kernel_name = kernel_name
        self.cwd = cwd
        self.manager: AsyncKernelManager | None = None
        self.sockets: Path | None = None  # the kernel's Unix sockets
        self.chapters = 0  # executed in this kernel so far

    def ready(self) -> AsyncKernelManager:
        """The kernel manager to execute the next chapter in: started, or reset if it was used."""
        if self.manager is None:
            self.sockets = Path(tempfile.mkdtemp(prefix="cnnreport-kernel-"))
            self.manager = AsyncKernelManager(kernel_name=self.kernel_name, transport="ipc",
                                              ip=str(self.sockets / "socket"))
            try:
                run_sync(self.manager.start_kernel)(cwd=str(self.cwd))
            except Exception as error:
                self.close()
                raise KernelError(f"could not start the chapter kernel {self.kernel_name!r}: "
                                  f"{type(error).__name__}: {error}") from error
        elif self.chapters:
            run_sync(self._reset)()
        self.chapters += 1
        return self.manager

    async def _reset(self) -> None:
        client = self.manager.client()
        client.start_channels()
        try:
            await client.wait_for_ready(timeout=START_TIMEOUT_S)
            reply = await client.execute_interactive(FRESH_NAMESPACE, store_history=False,
                                                     timeout=START_TIMEOUT_S, output_hook=_ignore)
        finally:
            client.stop_channels()
        if reply["content"]["status"] != "ok":
            raise KernelError(f"could not reset the warm chapter kernel: "
                              f"{reply['content'].get('ename')}: {reply['content'].get('evalue')}")

    def close(self) -> None:
        """Shut the kernel down (a chapter that failed leaves it in an unknown state)."""
        if self.manager is not None:
            manager, self.manager = self.manager, None
            run_sync(manager.shutdown_kernel)(now=True)
        if self.sockets is not None:
            shutil.rmtree(self.sockets, ignore_errors=True)
            self.sockets = None
        self.chapters = 0


def _ignore(message: dict) -> None:
    """The reset prints nothing worth keeping."""


class KernelWorkers:
    """`workers` threads, each with its own warm kernel, taking items in the given order.

    `run_all` returns one future per item, in the items' order. An item may wait for earlier items
    (`after`: their positions); if one of those fails, it is cancelled. Items are taken in order
    and only wait for earlier ones, which are already taken, so waiting never deadlocks. Leaving
    the `with` block cancels what has not started and waits for what has (each worker then shuts
    its kernel down).
    """

    def __init__(self, workers: int, kernel_name: str, cwd: Path):
        self.workers = workers
        self.kernel_name = kernel_name
        self.cwd = cwd
        self._pending: queue.SimpleQueue = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []

    def run_all(self, function: Callable[[Item, WarmKernel], object], items: Sequence[Item],
                after: Sequence[Sequence[int]] | None = None) -> list[Future]:
        futures = [Future() for _ in items]
        for position, (item, future) in enumerate(zip(items, futures)):
            waits = [futures[earlier] for earlier in (after[position] if after else ())]
            self._pending.put((item, future, waits))
        for number in range(self.workers):
            thread = threading.Thread(target=self._work, args=(function,),
                                      name=f"chapter-{number + 1}", daemon=True)
            thread.start()
            self._threads.append(thread)
        return futures

    def _work(self, function) -> None:
        kernel = WarmKernel(self.kernel_name, self.cwd)
        try:
            while True:
                try:
                    item, future, waits = self._pending.get_nowait()
                except queue.Empty:
                    return
                wait(waits)
                if any(w.cancelled() or w.exception() for w in waits) or \
                        not future.set_running_or_notify_cancel():
                    future.cancel()
                    continue
                try:
                    future.set_result(function(item, kernel))
                except BaseException as error:  # handed to the caller through the future
                    future.set_exception(error)
                    kernel.close()
        finally:
            kernel.close()

    def cancel_pending(self) -> None:
        while True:
            try:
                _, future, _ = self._pending.get_nowait()
            except queue.Empty:
                return
            future.cancel()

    def __enter__(self) -> "KernelWorkers":
        return self

    def __exit__(self, *exc) -> None:
        if exc[0] is not None:
            self.cancel_pending()
        for thread in self._threads:
            thread.join()
