"""A fresh machine: system packages and services installed on demand, messages without GNU gettext,
health probes over plain HTTP, offline API docs, no benchmark URLs in production."""

from __future__ import annotations

import gettext
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import Resolver404, resolve

ROOT = Path(__file__).resolve().parents[2]
ENSURE = ROOT / "tools" / "ensure_system.sh"
BASH = shutil.which("bash") or "/bin/bash"


# ---------------------------------------------------------------- tools/ensure_system.sh on a bare PATH
def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _stub(path: Path, body: str) -> None:
    path.write_text("#!" + BASH + "\n" + body + "\n")
    path.chmod(0o755)


@pytest.fixture
def bare_machine(tmp_path):
    """A PATH with coreutils only: no chromium, fonts, pdftotext, wrk, pgbench or msgfmt.

    Its apt-get is a stub that logs its arguments and "installs" a stub command per package.
    """
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("grep", "seq", "sleep", "ls", "sort", "tail", "cat", "chmod"):
        real = shutil.which(tool)
        assert real, tool
        (bin_dir / tool).symlink_to(real)
    log = tmp_path / "apt.log"
    provides = {
        "chromium": "chromium",
        "fonts-noto-cjk": "fc-list",
        "poppler-utils": "pdftotext",
        "wrk": "wrk",
        "postgresql-client": "pgbench",
        "gettext": "xgettext",
    }
    cases = "\n".join(
        f"    {pkg}) printf '#!{BASH}\\necho Noto Sans CJK JP\\n' > {bin_dir}/{cmd}; chmod +x {bin_dir}/{cmd} ;;"
        for pkg, cmd in provides.items()
    )
    _stub(
        bin_dir / "apt-get",
        f'echo "$*" >> {log}\nfor arg in "$@"; do\n  case "$arg" in\n{cases}\n  esac\ndone',
    )

    def run(*needs: str, uid: int = 0, **env: str) -> subprocess.CompletedProcess:
        _stub(bin_dir / "id", f"echo {uid}")
        base = {
            "PATH": str(bin_dir),
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
            "REDIS_URL": "redis://127.0.0.1:6379/9",
        }
        return subprocess.run(
            [BASH, str(ENSURE), *needs],
            env={**base, **env},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    run.bin_dir = bin_dir  # type: ignore[attr-defined]  # test helpers hung on the fixture function
    run.apt_calls = lambda: log.read_text().splitlines() if log.exists() else []  # type: ignore[attr-defined]  # test helpers hung on the fixture function
    return run


def test_as_a_user_it_prints_the_exact_install_command_and_fails(bare_machine):
    result = bare_machine("test", uid=1000)
    assert result.returncode == 1
    assert (
        "sudo apt-get update && sudo apt-get install -y --no-install-recommends "
        "chromium fonts-noto-cjk poppler-utils"
    ) in result.stderr
    assert bare_machine.apt_calls() == []


def test_as_root_it_installs_what_is_missing_once_then_nothing(bare_machine):
    result = bare_machine("test", "bench", "messages")
    assert result.returncode == 0, result.stderr
    assert bare_machine.apt_calls() == [
        "update -qq",
        "install -y -qq --no-install-recommends "
        "chromium fonts-noto-cjk poppler-utils wrk postgresql-client gettext",
    ]
    again = bare_machine("test", "bench", "messages")
    assert again.returncode == 0, again.stderr
    assert len(bare_machine.apt_calls()) == 2


def test_a_local_redis_that_does_not_answer_is_started(bare_machine, tmp_path):
    port = _free_port()
    pid_file = tmp_path / "redis.pid"
    listener = (
        f"import socket,time; s=socket.socket(); s.bind(('127.0.0.1',{port})); s.listen(); time.sleep(60)"
    )
    _stub(
        bare_machine.bin_dir / "redis-server",
        f'echo "$*" > {tmp_path}/redis.args\n'
        f'"{sys.executable}" -c "{listener}" </dev/null >/dev/null 2>&1 &\necho $! > {pid_file}',
    )
    for name in ("chromium", "pdftotext"):
        _stub(bare_machine.bin_dir / name, "true")
    _stub(bare_machine.bin_dir / "fc-list", "echo Noto Sans CJK JP")
    try:
        result = bare_machine("test", REDIS_URL=f"redis://127.0.0.1:{port}/1")
        assert result.returncode == 0, result.stderr
        assert ">> starting Redis" in result.stdout
        args = (tmp_path / "redis.args").read_text()
        assert f"--port {port}" in args and "--daemonize yes" in args
    finally:
        if pid_file.exists():
            subprocess.run(["kill", pid_file.read_text().strip()], check=False)


def test_a_remote_database_that_does_not_answer_is_reported_not_started(bare_machine):
    for name in ("chromium", "pdftotext"):
        _stub(bare_machine.bin_dir / name, "true")
    _stub(bare_machine.bin_dir / "fc-list", "echo Noto Sans CJK JP")
    result = bare_machine("test", DATABASE_URL="postgres://u:p@192.0.2.1:1/x")
    assert result.returncode == 1
    assert "PostgreSQL at 192.0.2.1:1 does not answer" in result.stderr


# ---------------------------------------------------------------- messages without GNU gettext
def test_messages_compile_with_python_alone_and_match_the_po(tmp_path, bare_machine):
    shutil.copytree(ROOT / "locale", tmp_path / "locale", ignore=shutil.ignore_patterns("*.mo"))
    po_path = tmp_path / "locale" / "ja" / "LC_MESSAGES" / "django.po"
    po = polib.pofile(str(po_path))
    po.append(polib.POEntry(msgid="Not reviewed yet", msgstr="未確認", flags=["fuzzy"]))
    po.save()
    assert shutil.which("msgfmt", path=str(bare_machine.bin_dir)) is None
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "compile_messages.py"), str(tmp_path)],
        env={"PATH": str(bare_machine.bin_dir)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    with (po_path.with_suffix(".mo")).open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)
    translated = [e for e in po if e.translated()]
    assert len(translated) > 100
    for entry in translated:
        assert catalogue.gettext(entry.msgid) == entry.msgstr, entry.msgid
    assert catalogue.gettext("Not reviewed yet") == "Not reviewed yet"  # fuzzy: left out, as msgfmt does


@pytest.mark.django_db
def test_the_storefront_answers_in_japanese_from_the_compiled_catalogue(client):
    page = client.get("/login/").content.decode()
    assert "ログイン" in page


# ---------------------------------------------------------------- health probe over plain HTTP
@pytest.mark.django_db
def test_healthz_is_not_redirected_to_https_when_ssl_redirect_is_on(settings):
    settings.DEBUG = False
    settings.SECURE_SSL_REDIRECT = True
    client = Client()  # a new client builds its middleware with these settings
    assert client.get("/healthz").status_code == 200
    login = client.get("/login/")
    assert login.status_code == 301 and login["Location"].startswith("https://")


# ---------------------------------------------------------------- API docs from our own static files
@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/"])
@pytest.mark.django_db
def test_api_docs_pages_load_everything_from_our_own_static_files(client, path):
    response = client.get(path)
    assert response.status_code == 200
    page = response.content.decode()
    urls = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", page)
    assert urls, page[:500]
    external = [u for u in urls if re.match(r"^(https?:)?//", u)]
    assert external == []
    static = [u for u in urls if u.startswith("/static/")]
    assert static
    for url in static:
        assert finders.find(url.removeprefix("/static/")), url


# ---------------------------------------------------------------- benchmark URLs stay out of production
def test_benchmark_urls_are_not_mounted_unless_enabled(settings):
    assert settings.BENCH_URLS is False
    with pytest.raises(Resolver404):
        resolve("/bench/hello")


def test_license_matches_pyproject():
    assert 'license = "MIT"' in (ROOT / "pyproject.toml").read_text()
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")


def test_every_entry_point_compiles_messages_with_python_and_checks_the_system():
    makefile = (ROOT / "Makefile").read_text()
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "compilemessages" not in makefile + dockerfile
    assert "tools/compile_messages.py" in dockerfile
    for target in ("run", "test"):
        recipe = re.search(rf"^{target}: \$\(STAMP\).*\n((?:\t.*\n)+)", makefile, re.M)
        assert recipe and "tools/compile_messages.py" in recipe.group(1), target
    assert re.search(r"^test: .*\n\ttools/ensure_system.sh test$", makefile, re.M)
    assert re.search(r"^bench: .*\n\ttools/ensure_system.sh bench$", makefile, re.M)
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in ci and "apt-get" not in ci
