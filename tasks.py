"""invoke tasks: the maintainers' commands (`invoke --list`)."""

from invoke import Context, task


@task
def test(c: Context) -> None:
    """Lint and run every test."""
    c.run("ruff check . && ruff format --check . && python -m pytest -q", pty=False)


@task(help={"paths": "pages, text dumps or URLs", "form": "json, markdown or text"})
def extract(c: Context, paths: str, form: str = "text") -> None:
    """Show the clean article of saved pages or URLs (space-separated)."""
    flag = "" if form == "text" else f"--{form}"
    c.run(f"python -m scraper extract {paths} {flag}")
