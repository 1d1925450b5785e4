"""Developer sessions: `nox -s tests` runs the whole suite, `nox -s typecheck` mypy over generator/,
`nox -s properdocs` the build tests on ProperDocs, `nox -s bench` the benchmark."""

from __future__ import annotations

import os
import shutil

import nox

nox.options.default_venv_backend = "venv"
nox.options.sessions = ["tests"]
PYPROJECT = nox.project.load_toml("pyproject.toml")


def ensure_chromium(session: nox.Session) -> None:
    """Browser tests drive Debian's Chromium; install it when missing and we are root."""
    if shutil.which("chromium"):
        return
    if os.geteuid() != 0:
        session.error("浏览器测试需要 Chromium：请运行 sudo apt-get install -y chromium fonts-noto-cjk")
    session.run("apt-get", "update", "-qq", external=True)
    session.run("apt-get", "install", "-y", "-qq", "--no-install-recommends", "chromium", "fonts-noto-cjk",
                external=True, env={"DEBIAN_FRONTEND": "noninteractive"})


NPM_TOOLS = {"vnu-jar": "26.9.27", "lighthouse": "12.8.2"}  # the validators tests/test_standards.py runs
NPM_DIR = ".cache/npm"


def ensure_npm_tools(session: nox.Session) -> dict[str, str]:
    """The Nu Html Checker (Java) and Lighthouse (Node), into .cache/npm; Debian's Java and Node
    when missing and we are root. Returns the environment that tells the tests where they are."""
    if not (shutil.which("java") and shutil.which("npm")):
        if os.geteuid() != 0:
            session.error("标准检查需要 Java 与 Node：请运行 sudo apt-get install -y default-jre-headless nodejs npm")
        session.run("apt-get", "update", "-qq", external=True)
        session.run("apt-get", "install", "-y", "-qq", "--no-install-recommends", "default-jre-headless", "nodejs",
                    "npm", external=True, env={"DEBIAN_FRONTEND": "noninteractive"})
    session.run("npm", "install", "--prefix", NPM_DIR, "--no-audit", "--no-fund", "--no-save",
                *(f"{name}@{version}" for name, version in NPM_TOOLS.items()), external=True)
    modules = os.path.abspath(os.path.join(NPM_DIR, "node_modules"))
    return {"VNU_JAR": os.path.join(modules, "vnu-jar", "build", "dist", "vnu.jar"),
            "LIGHTHOUSE": os.path.join(modules, ".bin", "lighthouse"), "CHROME_PATH": shutil.which("chromium") or ""}


@nox.session
def tests(session: nox.Session) -> None:
    """The whole test suite, browser tests included (pass pytest options after --)."""
    ensure_chromium(session)
    tools = ensure_npm_tools(session)
    session.install("-e", ".", *nox.project.dependency_groups(PYPROJECT, "test"))
    session.run("pytest", *session.posargs, env=tools)


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy over generator/ as pyproject.toml's [tool.mypy] configures it (also run by the suite:
    tests/test_types.py); mypy options after --."""
    session.install("-e", ".", *nox.project.dependency_groups(PYPROJECT, "typecheck"))
    session.run("mypy", *session.posargs)


@nox.session
def properdocs(session: nox.Session) -> None:
    """The build tests on ProperDocs (the maintained continuation of MkDocs 1.x) with mkdocs-material
    unchanged, MkDocs itself uninstalled: the theme layer stays swappable (docs/theme.md)."""
    session.install("-e", ".", *nox.project.dependency_groups(PYPROJECT, "test", "properdocs"))
    session.run("python", "-m", "pip", "uninstall", "-y", "-q", "mkdocs")
    session.run("python", "-c", "from generator.output.theme import ENGINE; assert ENGINE == 'properdocs', ENGINE")
    session.run("pytest", "-m", "not browser", "tests/test_build.py", "tests/test_theme.py", "tests/test_footer.py",
                "tests/test_scan.py", "tests/test_guide.py", "tests/test_example.py", *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmark builds of synthetic city/province content and the search beside Pagefind in Chromium
    (options after --, e.g. -- --sizes 1000 5000, or -- --sizes 25000 --search-only)."""
    ensure_chromium(session)
    session.install("-e", ".", *nox.project.dependency_groups(PYPROJECT, "bench"))
    session.run("python", "benchmarks/run.py", *session.posargs)
