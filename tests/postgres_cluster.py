"""Run a command against a throwaway PostgreSQL cluster.

    python -m tests.postgres_cluster -- pytest -m postgres

Tests against PostgreSQL should need no installed server, running service, role or password:
only the server binaries (Debian: ``apt-get install postgresql``). This module initialises a
private cluster in a fresh temporary directory, listening only on 127.0.0.1 at a free port with
durability switched off (the data is disposable), creates the database ``kx``, runs the command
with ``DATABASE_URL`` pointing at it, then always stops the server and deletes the directory,
also on failure, Ctrl-C or SIGTERM, and exits with the command's exit code.
"""

import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

INITDB_OPTIONS = ["--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync", "--no-instructions"]
# Only reachable from this machine; no durability, since the cluster is thrown away.
SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
}
START_TIMEOUT = 30  # seconds


class ClusterError(Exception):
    """The cluster could not be started; the message says why."""


def find_bindir() -> Path | None:
    """The directory holding initdb, pg_ctl and postgres: PATH first, else the newest Debian one."""
    found = shutil.which("initdb")
    candidates = [Path(found).resolve().parent] if found else []
    debian = [p for p in Path("/usr/lib/postgresql").glob("*/bin") if p.parent.name.isdigit()]
    candidates += sorted(debian, key=lambda p: int(p.parent.name), reverse=True)
    for bindir in candidates:
        if all((bindir / name).is_file() for name in ("initdb", "pg_ctl", "postgres", "createdb")):
            return bindir
    return None


def server_identity() -> tuple[str, dict]:
    """The database superuser and how to run server programs: PostgreSQL refuses to run as root."""
    if os.geteuid() != 0:
        return pwd.getpwuid(os.geteuid()).pw_name, {}
    try:
        account = pwd.getpwnam("postgres")
    except KeyError:
        raise ClusterError("no 'postgres' user to run the server as: install postgresql") from None
    return "postgres", {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def raise_on_signal(signum, frame):
    raise SystemExit(128 + signum)


def main(argv: list[str]) -> int:
    command = argv[1:] if argv[:1] == ["--"] else argv
    if not command:
        print("usage: python -m tests.postgres_cluster -- COMMAND [ARG ...]", file=sys.stderr)
        return 2
    bindir = find_bindir()
    if bindir is None:
        print("PostgreSQL server binaries not found: install postgresql", file=sys.stderr)
        return 1
    try:
        user, run_as = server_identity()
    except ClusterError as exc:
        print(exc, file=sys.stderr)
        return 1
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, raise_on_signal)

    tmp = Path(tempfile.mkdtemp(prefix="kx-postgres-"))
    data, log = tmp / "data", tmp / "server.log"
    proc = None

    def server(*args: str, check: bool = True) -> subprocess.CompletedProcess:
        # A new session keeps the server out of reach of the terminal's Ctrl-C.
        options = {"cwd": tmp, "capture_output": True, "text": True, "start_new_session": True}
        done = subprocess.run([bindir / args[0], *args[1:]], **options, **run_as)
        if check and done.returncode:
            output = (done.stdout + done.stderr).strip()
            tail = log.read_text(errors="replace").splitlines()[-20:] if log.exists() else []
            raise ClusterError("\n".join([f"{args[0]} failed:", output, *tail]))
        return done

    try:
        if run_as:
            os.chown(tmp, run_as["user"], run_as["group"])
        server("initdb", "-D", str(data), "-U", user, *INITDB_OPTIONS)
        port = free_port()
        conf = {**SETTINGS, "port": port, "unix_socket_directories": tmp}
        with open(data / "postgresql.conf", "a") as file:
            for name, value in conf.items():
                quoted = str(value).replace("'", "''")
                file.write(f"{name} = '{quoted}'\n")
        # -w waits until the server reports that it accepts connections.
        server("pg_ctl", "start", "-D", str(data), "-l", str(log), "-w", "-t", str(START_TIMEOUT))
        server("createdb", "-h", "127.0.0.1", "-p", str(port), "-U", user, "kx")
        version = server("postgres", "--version").stdout.split()[2]
        print(f"PostgreSQL {version} on 127.0.0.1:{port}", file=sys.stderr)

        env = {**os.environ, "DATABASE_URL": f"postgres://{user}@127.0.0.1:{port}/kx"}
        try:
            proc = subprocess.Popen(command, env=env)
        except OSError as exc:
            print(f"cannot run {command[0]}: {exc.strerror}", file=sys.stderr)
            return 127
        try:
            code = proc.wait()
        except KeyboardInterrupt:  # the command got the SIGINT too: let it exit its own way
            code = proc.wait(timeout=10)
        return 128 - code if code < 0 else code
    except ClusterError as exc:
        print(exc, file=sys.stderr)
        return 1
    except (KeyboardInterrupt, subprocess.TimeoutExpired):
        return 130
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, signal.SIG_IGN)
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if data.exists():
            server("pg_ctl", "stop", "-D", str(data), "-m", "immediate", "-w", check=False)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
