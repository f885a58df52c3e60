"""incjournal's benchmark: `python bench/run.py [--quick]`.

Builds journals of the issue's sizes (generated entry files, committed in bulk), then times real
`ij` processes against the framework floor (bench/floor_app.py), `git add && git commit` in the
same repository and jrnl's append (installed into bench/.work/jrnl-venv, never a project
dependency). The commands compared are measured in one run, alternating, after warm-up; the
table gives medians, min-max, ratios and peak RSS, then PASS/FAIL against each target.

Peak RSS is measured per process, in extra runs of each command under a small parent
(`peak_rss`): a child's `ru_maxrss` starts at its parent's resident size when it was forked, so
read from this (large) Python process it showed the same ~41 MiB for every command.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import gen  # noqa: E402

WORK = HERE / ".work"
FLOOR = HERE / "floor_app.py"
AUTHOR = "Bench Person <bench@example.com>"
MIB = 1024 * 1024


@dataclass(frozen=True)
class Sizes:
    entries: int  # the big incident
    incidents: int  # the many-incidents journal
    files: int  # entry files in the big repository
    runs: int
    warmup: int
    jrnl_entries: int
    write_runs: int  # the write group's ratios compare ~40 ms differences: more rounds


FULL = Sizes(10_000, 10_000, 100_000, runs=9, warmup=2, jrnl_entries=10_000, write_runs=21)
QUICK = Sizes(200, 200, 2_000, runs=3, warmup=1, jrnl_entries=200, write_runs=3)
SMALL = 10  # entries (and incidents) of the tiny journal


@dataclass
class Sample:
    wall: float
    cpu: float  # user + system seconds of the process and the children it waited for
    code: int


@dataclass
class Case:
    """One command line to time; `argv(i)` may vary per run (a new note text, a new file)."""

    label: str
    argv: Callable[[int], list[str]]
    cwd: Path
    prepare: Callable[[int], None] | None = None
    versus: str | None = None  # label of the case this one's ratio is against
    samples: list[Sample] = field(default_factory=list)
    rss: list[int] = field(default_factory=list)  # bytes, from `peak_rss` runs

    @property
    def median(self) -> float:
        return statistics.median(s.wall for s in self.samples)

    @property
    def cpu(self) -> float:
        return statistics.median(s.cpu for s in self.samples)

    @property
    def peak_rss(self) -> int:
        return max(self.rss, default=0)


def run_once(case: Case, number: int, env: dict[str, str]) -> Sample:
    """Time one process (wall, and CPU from wait4's rusage of it and its children)."""
    if case.prepare is not None:
        case.prepare(number)
    argv = case.argv(number)
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            argv,
            cwd=case.cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            detail = err.read().decode(errors="replace").strip()[-2000:]
            raise RuntimeError(f"{case.label}: {' '.join(argv)} exited {proc.returncode}\n{detail}")
    cpu = usage.ru_utime + usage.ru_stime
    return Sample(wall, cpu, proc.returncode)


GNU_TIME = Path("/usr/bin/time")
# the fallback parent: a bare interpreter (~10 MiB, below any command measured here) that runs
# the command and reports the child's own ru_maxrss (KiB on Linux, bytes on macOS)
_RSS_PARENT = """
import os, subprocess, sys
proc = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(proc.pid, 0)
scale = 1 if sys.platform == "darwin" else 1024
open(sys.argv[1], "w").write(str(usage.ru_maxrss * scale))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def gnu_time() -> bool:
    """Whether /usr/bin/time is GNU time (`-f %M`: the child's peak RSS in KiB)."""
    if not GNU_TIME.exists():
        return False
    probe = subprocess.run([str(GNU_TIME), "-f", "%M", "true"], capture_output=True, text=True)
    return probe.returncode == 0 and probe.stderr.strip().isdigit()


def peak_rss(argv: list[str], cwd: Path, env: dict[str, str]) -> int:
    """The peak resident size in bytes of the process running `argv`, read by a small parent
    (GNU time, else a bare interpreter) so that this process's own size does not count."""
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as out:
        if gnu_time():
            parent = [str(GNU_TIME), "-f", "%M", "-o", out.name]
            scale = 1024
        else:
            parent = [sys.executable, "-c", _RSS_PARENT, out.name]
            scale = 1
        proc = subprocess.run([*parent, *argv], cwd=cwd, env=env, capture_output=True)
        if proc.returncode != 0:
            raise RuntimeError(
                f"{' '.join(argv)} exited {proc.returncode}: {proc.stderr[-2000:]!r}"
            )
        return int(out.read().split()[-1]) * scale


def measure(
    cases: Sequence[Case], runs: int, warmup: int, env: dict[str, str], rss_runs: int = 2
) -> None:
    """Warm up, then alternate the cases round by round (rotating who goes first); then the
    peak RSS of each, in `rss_runs` runs of its own."""
    for number in range(warmup):
        for case in cases:
            run_once(case, -1 - number, env)
    for number in range(runs):
        shift = number % len(cases)
        for case in [*cases[shift:], *cases[:shift]]:
            case.samples.append(run_once(case, number, env))
    for number in range(runs, runs + rss_runs):
        for case in cases:
            if case.prepare is not None:
                case.prepare(number)
            case.rss.append(peak_rss(case.argv(number), case.cwd, env))


# environment -------------------------------------------------------------------------------------
def bench_env(work: Path, src: Path | None = None) -> dict[str, str]:
    """A clean, isolated environment: own HOME and git config, fixed author, zone and locale.

    `src`: run the incjournal package found there (another checkout's src/) instead.
    """
    home = work / "home"
    home.mkdir(parents=True, exist_ok=True)
    gitconfig = home / ".gitconfig"
    gitconfig.write_text("[user]\n\tname = Bench Person\n\temail = bench@example.com\n")
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    return {
        "PATH": path,
        "HOME": str(home),
        "GIT_CONFIG_GLOBAL": str(gitconfig),
        "GIT_CONFIG_NOSYSTEM": "1",
        "INCJOURNAL_AUTHOR": AUTHOR,
        "TZ": "UTC",
        "LANG": "C.UTF-8",
        "NO_COLOR": "1",
        "TERM": "dumb",
        **({"PYTHONPATH": str(src.resolve())} if src is not None else {}),
    }


def ij_argv() -> list[str]:
    """The installed `ij` console script next to this interpreter, else `python -m incjournal`."""
    script = shutil.which("ij", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "incjournal"]


def has_command(ij: list[str], name: str, cwd: Path, env: dict[str, str]) -> bool:
    proc = subprocess.run([*ij, name, "--help"], cwd=cwd, env=env, capture_output=True, check=False)
    return proc.returncode == 0


# journals ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Journals:
    tiny: Path  # 10 incidents x 10 entries
    entries: Path  # one incident of `sizes.entries` entries
    incidents: Path  # `sizes.incidents` incidents of 3 entries
    files: Path  # one incident of 10 entries + enough others for `sizes.files` entry files


def journal_specs(sizes: Sizes) -> dict[str, list[int]]:
    per = 1000 if sizes.files >= 10_000 else 100
    return {
        "tiny": [SMALL] * SMALL,
        "entries": [sizes.entries],
        "incidents": [3] * sizes.incidents,
        "files": [SMALL] + [per] * (sizes.files // per),
    }


def prepare_journals(base: Path, sizes: Sizes, env: dict[str, str], rebuild: bool) -> Journals:
    """Build each journal once (reused while its spec is unchanged), reset to as-built each run."""
    paths = {}
    for name, spec in journal_specs(sizes).items():
        root = base / "journals" / f"{name}-{len(spec)}x{max(spec)}-{sum(spec)}"
        marker = root / ".git" / "bench-built"
        started = time.perf_counter()
        if rebuild or name == "tiny" or not marker.exists():
            shutil.rmtree(root, ignore_errors=True)
            built = gen.build_journal(root, spec, env=env)
            _git(root, env, "tag", "-f", "bench-base")
            marker.write_text(f"{built.entry_files}\n")
            what = "built"
        else:
            _git(root, env, "reset", "-q", "--hard", "bench-base")
            _git(root, env, "clean", "-fdxq")
            shutil.rmtree(root / ".git" / "incjournal", ignore_errors=True)
            (root / ".git" / "incjournal").mkdir(exist_ok=True)
            what = "reset"
        first = _git(root, env, "ls-tree", "--name-only", "HEAD", "incidents/").split()[0]
        (root / ".git" / "incjournal" / "current").write_text(first.split("/")[-1] + "\n")
        took = time.perf_counter() - started
        print(f"  {what} {name}: {len(spec)} incidents, {sum(spec)} entries ({took:.1f} s)")
        paths[name] = root
    return Journals(**paths)


def _git(root: Path, env: dict[str, str], *args: str) -> str:
    proc = subprocess.run(["git", *args], cwd=root, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)} failed in {root}: {proc.stderr.strip()}")
    return proc.stdout


def cache_dir(root: Path) -> Path:
    return root / ".git" / "incjournal" / "cache"


# jrnl --------------------------------------------------------------------------------------------
def jrnl_binary(base: Path, install: bool) -> Path | None:
    """jrnl in its own venv under bench/.work (installed on first use); None if unavailable."""
    venv = base / "jrnl-venv"
    binary = venv / "bin" / "jrnl"
    if binary.exists() or not install:
        return binary if binary.exists() else None
    print("  installing jrnl into", venv)
    made = subprocess.run([sys.executable, "-m", "venv", str(venv)], capture_output=True)
    pip = venv / "bin" / "pip"
    if (
        made.returncode != 0
        or subprocess.run([str(pip), "install", "-q", "jrnl"], capture_output=True).returncode
    ):
        print("  jrnl could not be installed: its rows are skipped")
        return None
    return binary


def jrnl_config(base: Path, name: str, entries: int, binary: Path, env: dict[str, str]) -> Path:
    """A jrnl config + journal of `entries` entries; jrnl runs once to settle its config."""
    folder = base / "jrnl" / name
    shutil.rmtree(folder, ignore_errors=True)
    journal = gen.build_jrnl(folder / "journal.txt", entries)
    config = folder / "config.yaml"
    config.write_text(
        "colors: {body: none, date: none, tags: none, title: none}\n"
        "default_hour: 9\ndefault_minute: 0\neditor: ''\nencrypt: false\nhighlight: true\n"
        f"indent_character: '|'\njournals:\n  default:\n    journal: {journal}\n"
        "linewrap: 79\ntagsymbols: '#@'\ntemplate: false\n"
        "timeformat: '%Y-%m-%d %I:%M:%S %p'\nversion: v4.6\n"
    )
    cmd = [str(binary), "--config-file", str(config), "settle."]
    subprocess.run(cmd, env=env, capture_output=True, check=True)
    return config


# the cases ---------------------------------------------------------------------------------------
def note_case(ij: list[str], label: str, root: Path, versus: str | None = None) -> Case:
    return Case(
        label, lambda i: [*ij, "note", f"bench note {i}: db latency up"], root, versus=versus
    )


FLOOR_LABEL = "floor: Typer app writing a TOML file"


def floor_case(folder: Path) -> Case:
    """The framework floor: bench/floor_app.py writing one TOML file into `folder`."""
    py = [sys.executable, str(FLOOR)]
    return Case(FLOOR_LABEL, lambda i: [*py, f"note {i}", "--dir", str(folder)], folder)


def git_case(label: str, root: Path, versus: str | None = None) -> Case:
    """`git add FILE && git commit` of one new file, the way a person commits a note by hand."""
    script = 'git add -- "$1" && git commit -q -m "$2"'

    def prepare(number: int) -> None:
        (root / "scratch").mkdir(exist_ok=True)
        (root / "scratch" / f"note{number}.txt").write_text(f"bench note {number}\n")

    def argv(number: int) -> list[str]:
        return ["sh", "-c", script, "sh", f"scratch/note{number}.txt", f"note {number}"]

    return Case(label, argv, root, prepare, versus)


def view_cases(ij: list[str], name: str, args: list[str], root: Path) -> list[Case]:
    """The view cold (the cache deleted before each run) and warm (the cache as left)."""

    def drop_cache(_number: int) -> None:
        shutil.rmtree(cache_dir(root), ignore_errors=True)

    def argv(_number: int) -> list[str]:
        return [*ij, *args]

    return [
        Case(f"ij {name} (cold)", argv, root, drop_cache),
        Case(f"ij {name} (warm)", argv, root, versus=f"ij {name} (cold)"),
    ]


@dataclass
class Group:
    name: str
    title: str
    cases: list[Case]
    skipped: list[str] = field(default_factory=list)


def groups(
    ij: list[str],
    js: Journals,
    sizes: Sizes,
    jrnl: dict[str, Path],
    base: Path,
    env: dict[str, str],
) -> list[Group]:
    e, n, f = f"{sizes.entries:,}", f"{sizes.incidents:,}", f"{sizes.files:,}"
    floor_dir = base / "floor"
    floor_dir.mkdir(parents=True, exist_ok=True)
    py = [sys.executable, str(FLOOR)]
    tiny = "ij note (tiny journal)"
    write = [
        floor_case(floor_dir),
        note_case(ij, tiny, js.tiny, versus=FLOOR_LABEL),
        git_case("git add && git commit (tiny journal)", js.tiny, versus=tiny),
    ]
    skipped = []
    if "tiny" in jrnl:
        write.append(jrnl_case("jrnl append (tiny journal)", jrnl["tiny"], base, tiny))
    else:
        skipped.append("jrnl append: jrnl is not installed (run without --no-jrnl)")
    write += [
        note_case(ij, f"ij note (incident of {e} entries)", js.entries, versus=tiny),
        note_case(ij, f"ij note (journal of {n} incidents)", js.incidents, versus=tiny),
        note_case(ij, f"ij note (repo of {f} entry files)", js.files, versus=tiny),
    ]
    if "big" in jrnl:
        write.append(
            jrnl_case(f"jrnl append ({sizes.jrnl_entries:,} entries)", jrnl["big"], base, tiny)
        )
    out = [Group("write", "Appending one note", write, skipped)]
    out.append(
        Group(
            "git",
            "git itself at scale (measured apart: a commit by hand moves HEAD under ij's index)",
            [git_case(f"git add && git commit (repo of {f} entry files)", js.files, versus=tiny)],
        )
    )
    out.append(
        Group(
            "help",
            "Help",
            [
                Case("floor --help", lambda i: [*py, "--help"], floor_dir),
                Case("ij --help", lambda i: [*ij, "--help"], floor_dir, versus="floor --help"),
            ],
        )
    )
    out.append(views_group(ij, js, e, env))
    out.append(incidents_group(ij, js, n, env))
    return out


def jrnl_case(label: str, config: Path, base: Path, versus: str) -> Case:
    binary = base / "jrnl-venv" / "bin" / "jrnl"
    return Case(
        label,
        lambda i: [str(binary), "--config-file", str(config), f"bench note {i}."],
        base,
        versus=versus,
    )


VIEWS = (
    ("brief --for exec", ["brief", "--for", "exec"]),
    ("review", ["review"]),
    ("timeline --json", ["timeline", "--json"]),
    ("show", ["show"]),
)


def views_group(ij: list[str], js: Journals, e: str, env: dict[str, str]) -> Group:
    cases: list[Case] = []
    skipped = []
    for name, args in VIEWS:
        if has_command(ij, args[0], js.entries, env):
            cases += view_cases(ij, name, args, js.entries)
        else:
            skipped.append(f"ij {name}: the command does not exist yet")
    return Group("views", f"Views of an incident of {e} entries", cases, skipped)


def incidents_group(ij: list[str], js: Journals, n: str, env: dict[str, str]) -> Group:
    cases: list[Case] = []
    skipped = []
    for name, args in (("list --all", ["list", "--all"]), ("stats", ["stats"])):
        if has_command(ij, args[0], js.incidents, env):
            cases += view_cases(ij, name, args, js.incidents)
        else:
            skipped.append(f"ij {name}: the command does not exist yet")
    return Group("incidents", f"A journal of {n} incidents", cases, skipped)


# report ------------------------------------------------------------------------------------------
def table(group: Group, by_label: dict[str, Case]) -> str:
    lines = [f"\n## {group.title}", ""]
    lines.append(
        f"{'command':<52} {'median':>9} {'min-max':>17} {'ratio':>14} {'peak RSS':>9}"
        f" {'cpu':>8} {'cpu ratio':>9}"
    )
    for case in group.cases:
        if not case.samples:
            continue
        walls = [s.wall for s in case.samples]
        spread = f"{min(walls) * 1000:.0f}-{max(walls) * 1000:.0f} ms"
        ratio = cpu_ratio = ""
        other = by_label.get(case.versus or "")
        if other is not None and other.samples:
            ratio = f"{case.median / other.median:.2f}x {_short(other.label)}"
            cpu_ratio = f"{case.cpu / other.cpu:.2f}x" if other.cpu else ""
        lines.append(
            f"{case.label:<52} {case.median * 1000:>6.0f} ms {spread:>17} {ratio:>14} "
            f"{case.peak_rss / MIB:>5.0f} MiB {case.cpu * 1000:>5.0f} ms {cpu_ratio:>9}"
        )
    lines += [f"  skipped: {note}" for note in group.skipped]
    return "\n".join(lines)


def _short(label: str) -> str:
    if label.startswith("floor"):
        return "floor"
    if "(cold)" in label:
        return "cold"
    return "tiny" if "tiny" in label else label[:8]


@dataclass(frozen=True)
class Target:
    text: str
    value: float | None  # None: not measured in this run
    limit: float
    unit: str

    @property
    def verdict(self) -> str:
        if self.value is None:
            return "SKIP"
        return "PASS" if self.value <= self.limit else "FAIL"

    def line(self) -> str:
        shown = "—" if self.value is None else f"{self.value:.2f}{self.unit}"
        limit = f"(target <= {self.limit:g}{self.unit})"
        return f"  {self.verdict:<4}  {self.text:<66} {shown:>10}  {limit}"


def targets(cases: dict[str, Case], sizes: Sizes, js: Journals | None) -> list[Target]:
    def med(label: str) -> float | None:
        case = cases.get(label)
        return case.median if case is not None and case.samples else None

    def ratio(a: str, b: str) -> float | None:
        x, y = med(a), med(b)
        return x / y if x is not None and y is not None else None

    e, n, f = f"{sizes.entries:,}", f"{sizes.incidents:,}", f"{sizes.files:,}"
    tiny = "ij note (tiny journal)"
    out = [
        Target(
            "ij note / framework floor",
            ratio(tiny, FLOOR_LABEL),
            1.0,
            "x",
        ),
        Target(
            "ij note / jrnl append (tiny journals)",
            ratio(tiny, "jrnl append (tiny journal)"),
            1.0,
            "x",
        ),
        Target(
            f"ij note at {e} entries / at {SMALL}",
            ratio(f"ij note (incident of {e} entries)", tiny),
            1.5,
            "x",
        ),
        Target(
            f"ij note at {n} incidents / at {SMALL}",
            ratio(f"ij note (journal of {n} incidents)", tiny),
            1.5,
            "x",
        ),
        Target(
            f"ij note at {f} entry files / at {SMALL * SMALL}",
            ratio(f"ij note (repo of {f} entry files)", tiny),
            1.5,
            "x",
        ),
    ]
    for name in ("brief --for exec", "timeline --json", "review"):
        out.append(Target(f"ij {name} at {e} entries, warm", med(f"ij {name} (warm)"), 0.5, " s"))
        out.append(Target(f"ij {name} at {e} entries, cold", med(f"ij {name} (cold)"), 1.5, " s"))
    for name in ("list --all", "stats"):
        out.append(Target(f"ij {name} at {n} incidents, warm", med(f"ij {name} (warm)"), 0.5, " s"))
    out.append(Target("ij --help / floor --help", ratio("ij --help", "floor --help"), 1.2, "x"))
    on_big = [c for c in cases.values() if js is not None and c.cwd == js.entries and c.samples]
    peak = max((c.peak_rss for c in on_big), default=None)
    out.append(
        Target(
            f"peak RSS of any command on the {e}-entry incident",
            None if peak is None else peak / MIB,
            100,
            " MiB",
        )
    )
    return out


def machine() -> dict[str, str]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        model = platform.processor()
    git_version = subprocess.run(
        ["git", "--version"], capture_output=True, text=True
    ).stdout.strip()
    from importlib.metadata import version

    return {
        "cpus": str(os.cpu_count()),
        "cpu": model or "unknown",
        "python": platform.python_version(),
        "typer": version("typer"),
        "git": git_version,
        "system": platform.platform(),
        "load": "{:.1f} {:.1f} {:.1f}".format(*os.getloadavg()),
    }


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="small sizes, 3 runs: a smoke test")
    parser.add_argument(
        "--runs", type=int, help="timed runs per command (default 9, 21 for write; quick 3)"
    )
    parser.add_argument(
        "--warmup", type=int, help="untimed runs per command first (default 2; quick 1)"
    )
    parser.add_argument("--only", help="comma-separated groups: write,git,help,views,incidents")
    parser.add_argument("--no-jrnl", action="store_true", help="skip jrnl (no install)")
    parser.add_argument("--rebuild", action="store_true", help="regenerate every journal")
    parser.add_argument(
        "--work", type=Path, default=WORK, help="scratch folder (default bench/.work)"
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--src", type=Path, help="time the incjournal package in this src/ folder")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    sizes = QUICK if args.quick else FULL
    runs = args.runs or sizes.runs
    warmup = sizes.warmup if args.warmup is None else args.warmup
    base = args.work.resolve() / ("quick" if args.quick else "full")
    base.mkdir(parents=True, exist_ok=True)
    env = bench_env(base, args.src)
    info = machine()
    mode = "quick" if args.quick else "full"
    write_runs = args.runs or sizes.write_runs
    print(
        f"# incjournal bench ({mode}): {runs} runs ({write_runs} for write) after {warmup} warm-up"
    )
    print("machine: " + ", ".join(f"{k} {v}" for k, v in info.items()))
    js = prepare_journals(base, sizes, env, args.rebuild)
    jrnl: dict[str, Path] = {}
    binary = None if args.no_jrnl else jrnl_binary(args.work.resolve(), install=not args.quick)
    if binary is not None:
        jrnl["tiny"] = jrnl_config(base, "tiny", SMALL, binary, env)
        jrnl["big"] = jrnl_config(base, "big", sizes.jrnl_entries, binary, env)
    ij = ij_argv()
    wanted = set(args.only.split(",")) if args.only else None
    all_groups = [
        g
        for g in groups(ij, js, sizes, jrnl, args.work.resolve(), env)
        if wanted is None or g.name in wanted
    ]
    cases = {c.label: c for g in all_groups for c in g.cases}
    for group in all_groups:
        print(f"  measuring {group.name} ...", flush=True)
        measure(group.cases, write_runs if group.name == "write" else runs, warmup, env)
        print(table(group, cases), flush=True)
    results = targets(cases, sizes, js)
    print("\n## Targets" + (" (quick sizes: not the issue's figures)" if args.quick else ""))
    for target in results:
        print(target.line())
    print("load average at the end: {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
    save(args.json, info, cases, results)
    return 0


def save(
    path: Path | None, info: dict[str, str], cases: dict[str, Case], results: list[Target]
) -> None:
    if path is None:
        return
    data = {
        "machine": info,
        "cases": {
            label: {
                "median_s": c.median,
                "min_s": min(s.wall for s in c.samples),
                "max_s": max(s.wall for s in c.samples),
                "peak_rss_mib": c.peak_rss / MIB,
                "cpu_median_s": c.cpu,
                "samples_s": [s.wall for s in c.samples],
            }
            for label, c in cases.items()
            if c.samples
        },
        "targets": [
            {"text": t.text, "value": t.value, "limit": t.limit, "verdict": t.verdict}
            for t in results
        ],
    }
    path.write_text(json.dumps(data, indent=2) + "\n")


if __name__ == "__main__":
    sys.exit(main())
