"""Process-tree CPU time and memory from ``/proc``, and the job's share of CPU energy.

RAPL and the CPU model measure the whole machine. Attribution to a job is a
model (labelled ``modelled``): over each interval, the CPU time of the job's
process tree (``utime + stime`` of every live member plus ``cutime + cstime``,
which hold the time of children already reaped, from ``/proc/<pid>/stat``) is
compared with the machine's CPU time from ``/proc/stat``. CPU time is split
three ways, which add up to 1::

    job_share    = tree ticks / all ticks        (all = busy + idle, steal excluded)
    idle_share   = idle ticks (idle + iowait) / all ticks
    others_share = 1 - job_share - idle_share    (other processes, kernel)

so the machine's CPU energy of an interval splits into the job's, the idle
floor's and everyone else's. ``job_share_of_busy`` (tree / busy ticks) is
given too. The procfs root is injectable (tests write a fake ``/proc``);
nothing here needs psutil.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

#: kernel clock ticks per second (USER_HZ); 100 on Linux when sysconf is absent
CLK_TCK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


@dataclass(frozen=True)
class CpuTimes:
    """Aggregate machine CPU time [ticks] from the ``cpu`` line of /proc/stat."""

    busy: int       # user + nice + system + irq + softirq (guest is inside user)
    idle: int       # idle + iowait

    @property
    def total(self) -> int:
        return self.busy + self.idle


def _read_small(path: str) -> str:
    """A small /proc file with raw os calls (cheaper than a text file object every tick)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        chunks = []
        while True:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(fd)
    return b"".join(chunks).decode("ascii", errors="replace")


def parse_proc_stat(text: str) -> CpuTimes:
    """Parse /proc/stat text; raises ValueError when the ``cpu`` line is missing.

    Only the aggregate ``cpu`` line (the first on Linux) is looked at; the
    rest of the file (per-CPU lines, the long ``intr`` line) is never split,
    which keeps a sampler tick cheap.
    """
    start = 0 if text.startswith("cpu ") else text.find("\ncpu ") + 1
    if start < 0 or not text.startswith("cpu ", start):
        raise ValueError("no aggregate 'cpu' line in /proc/stat")
    end = text.find("\n", start)
    line = text[start:end if end >= 0 else len(text)]
    v = [int(x) for x in line.split()[1:8]] + [0] * 7
    user, nice, system, idle, iowait, irq, softirq = v[:7]
    return CpuTimes(busy=user + nice + system + irq + softirq, idle=idle + iowait)


def read_cpu_times(procfs: Path = Path("/proc")) -> CpuTimes:
    """Machine CPU times; raises OSError or ValueError when unreadable."""
    return parse_proc_stat(_read_small(os.path.join(procfs, "stat")))


def read_meminfo(procfs: Path = Path("/proc")) -> dict[str, int]:
    """/proc/meminfo values [bytes] (kB lines converted)."""
    out: dict[str, int] = {}
    for line in (procfs / "meminfo").read_text().splitlines():
        key, _, rest = line.partition(":")
        parts = rest.split()
        if parts and parts[0].isdigit():
            out[key.strip()] = int(parts[0]) * (1024 if len(parts) > 1 and parts[1] == "kB" else 1)
    return out


_MEM_FIELDS = re.compile(r"^(MemTotal|MemAvailable):\s+(\d+) kB", re.M)


def machine_memory_used_bytes(procfs: Path = Path("/proc")) -> int:
    """Memory in use [bytes]: MemTotal - MemAvailable (or - MemFree - Cached - Buffers)."""
    text = _read_small(os.path.join(procfs, "meminfo"))
    fast = dict(_MEM_FIELDS.findall(text))
    if len(fast) == 2:  # the common case, without parsing every line
        return max(0, (int(fast["MemTotal"]) - int(fast["MemAvailable"])) * 1024)
    m = read_meminfo(procfs)
    if "MemAvailable" in m:
        return max(0, m["MemTotal"] - m["MemAvailable"])
    return max(0, m["MemTotal"] - m.get("MemFree", 0) - m.get("Cached", 0) - m.get("Buffers", 0))


@dataclass(frozen=True)
class ProcStat:
    """The fields of /proc/<pid>/stat we use."""

    pid: int
    ppid: int
    cpu_ticks: int      # utime + stime + cutime + cstime
    rss_bytes: int


def parse_pid_stat(text: str) -> ProcStat:
    """Parse one /proc/<pid>/stat line (the command name may hold spaces and parens)."""
    head, _, tail = text.rpartition(")")
    pid = int(head.split("(", 1)[0])
    f = tail.split()
    # f[0]=state f[1]=ppid ... f[11]=utime f[12]=stime f[13]=cutime f[14]=cstime ... f[21]=rss
    return ProcStat(pid=pid, ppid=int(f[1]), cpu_ticks=int(f[11]) + int(f[12]) + int(f[13]) + int(f[14]),
                    rss_bytes=int(f[21]) * PAGE_SIZE)


class ProcessTree:
    """A process and its live descendants, read from ``procfs``.

    Children come from ``/proc/<pid>/task/<tid>/children`` when the kernel
    offers it, else from a scan of every ``/proc/<n>/stat`` for parent ids.
    """

    def __init__(self, pid: int, procfs: Path = Path("/proc")) -> None:
        self.pid = int(pid)
        self.procfs = Path(procfs)

    def _stat(self, pid: int) -> ProcStat | None:
        try:
            return parse_pid_stat((self.procfs / str(pid) / "stat").read_text())
        except (OSError, ValueError, IndexError):
            return None          # gone between listing and reading, or unreadable

    def _children_files(self, pid: int) -> list[int] | None:
        task = self.procfs / str(pid) / "task"
        try:
            tids = list(task.iterdir())
        except OSError:
            return None
        kids: list[int] = []
        seen_file = False
        for t in tids:
            try:
                text = (t / "children").read_text()
            except OSError:
                continue
            seen_file = True
            kids.extend(int(x) for x in text.split())
        return kids if seen_file else None

    def members(self) -> list[ProcStat]:
        """Stats of the root and every live descendant (empty when the root is gone)."""
        root = self._stat(self.pid)
        if root is None:
            return []
        out = [root]
        if self._children_files(self.pid) is not None:
            queue = [self.pid]
            seen = {self.pid}
            while queue:
                for kid in self._children_files(queue.pop()) or []:
                    if kid not in seen and (st := self._stat(kid)) is not None:
                        seen.add(kid)
                        out.append(st)
                        queue.append(kid)
            return out
        by_parent: dict[int, list[ProcStat]] = {}
        try:
            entries = [e.name for e in self.procfs.iterdir() if e.name.isdigit()]
        except OSError:
            return out
        for name in entries:
            st = self._stat(int(name))
            if st is not None:
                by_parent.setdefault(st.ppid, []).append(st)
        queue = [self.pid]
        seen = {self.pid}
        while queue:
            for st in by_parent.get(queue.pop(), []):
                if st.pid not in seen:
                    seen.add(st.pid)
                    out.append(st)
                    queue.append(st.pid)
        return out

    def cpu_ticks(self) -> int | None:
        """CPU time of the tree [ticks], None when the root process is gone."""
        ms = self.members()
        return sum(m.cpu_ticks for m in ms) if ms else None

    def rss_bytes(self) -> int | None:
        """Resident memory of the tree [bytes] (shared pages counted per process)."""
        ms = self.members()
        return sum(m.rss_bytes for m in ms) if ms else None


@dataclass(frozen=True)
class AttributionSample:
    """Shares of the machine's CPU time over one interval (each in [0, 1])."""

    job_share: float
    idle_share: float
    others_share: float
    job_share_of_busy: float | None
    job_cpu_s: float
    machine_busy_s: float


class ProcessAttribution:
    """The job's share of the machine's CPU energy, per sampler tick.

    Usage::

        attr = ProcessAttribution(pid)       # pid of the job (or os.getpid())
        attr.start(now_s)
        ...
        s = attr.share(now_s)                # float in [0, 1] or None
        job_energy_j = cpu_energy_j_of_interval * s

    :meth:`sample` gives the idle and other shares too. ``None`` when the
    tree or /proc/stat cannot be read, or no CPU time passed.
    """

    def __init__(self, pid: int, procfs: Path = Path("/proc")) -> None:
        self.tree = ProcessTree(pid, procfs)
        self.procfs = Path(procfs)
        self._prev: tuple[int, CpuTimes] | None = None
        self.warnings: list[str] = []

    def _read(self) -> tuple[int, CpuTimes] | None:
        ticks = self.tree.cpu_ticks()
        try:
            machine = read_cpu_times(self.procfs)
        except (OSError, ValueError) as exc:
            if not self.warnings:
                self.warnings.append(f"process attribution: cannot read {self.procfs / 'stat'} ({exc})")
            return None
        return None if ticks is None else (ticks, machine)

    def start(self, now_s: float = 0.0) -> None:
        self._prev = self._read()

    def sample(self, now_s: float = 0.0) -> AttributionSample | None:
        cur = self._read()
        prev, self._prev = self._prev, cur if cur is not None else self._prev
        if cur is None or prev is None:
            return None
        job = max(0, cur[0] - prev[0])   # an orphan reaped by init can lower the sum: clip
        busy = max(0, cur[1].busy - prev[1].busy)
        idle = max(0, cur[1].idle - prev[1].idle)
        total = busy + idle
        if total <= 0:
            return None
        job = min(job, busy) if busy > 0 else 0
        return AttributionSample(
            job_share=job / total, idle_share=idle / total, others_share=(busy - job) / total,
            job_share_of_busy=job / busy if busy > 0 else None,
            job_cpu_s=job / CLK_TCK, machine_busy_s=busy / CLK_TCK,
        )

    def share(self, now_s: float = 0.0) -> float | None:
        """Job's share [0-1] of the machine's CPU time since the previous call."""
        s = self.sample(now_s)
        return None if s is None else s.job_share
