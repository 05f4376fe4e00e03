"""Command-line tasks: `flask --app app <command>`. Each run is one transaction."""
import sys
from pathlib import Path

import click
from flask import Flask, current_app

from .extensions import db


def register_commands(app: Flask) -> None:
    register_i18n_commands(app)  # flask i18n check / update
    @app.cli.command("deploy")
    @click.argument("directory", required=False)
    def deploy_command(directory):
        """Deploy every procedure of DIRECTORY (default: processes/) that changed."""
        from .errors import InvalidProcedure
        from .i18n import translate
        from .services import deployments
        folder = Path(directory or current_app.config["PROCESSES_DIR"])
        failed = False
        for key, files in deployments.procedure_files(folder).items():
            parsed, problems = deployments.check(files)
            if problems:
                failed = True
                for p in problems:
                    click.echo(f"{folder / (p.file or key + '.bpmn')}: {p.element_id or '-'}: {p.message}", err=True)
                continue
            try:
                version, created = deployments.deploy(files)
            except InvalidProcedure as err:  # a saved test case did not pass
                failed = True
                for p in err.problems:
                    click.echo(f"{folder / (p['file'] or key + '.bpmn')}: {p['element_id'] or '-'}: "
                               f"{translate(p['message'])}", err=True)
                continue
            click.echo(f"{key}: version {version.version} {'deployed' if created else 'unchanged'}")
        if failed:
            db.session.rollback()
            click.echo("nothing deployed: fix the problems above", err=True)
            sys.exit(1)
        db.session.commit()

    @app.cli.command("monthly-report")
    @click.argument("month")
    def monthly_report_command(month):
        """Start the monthly report procedure of MONTH (YYYY-MM, over and without one yet)."""
        from .errors import ServiceError
        from .handlers.monthly_report import report_key
        from .i18n import N_, translate
        from .services import monthly_reports
        try:
            instance = monthly_reports.start_for_month(month)
        except ServiceError as err:
            db.session.rollback()
            reasons = "; ".join(translate(r) for found in (err.fields or {}).values() for r in found)
            click.echo(f"{month}: {translate(err.message)}{': ' + reasons if reasons else ''}", err=True)
            sys.exit(1)
        if instance is None:
            db.session.rollback()
            click.echo(translate(N_("the monthly report of %(month)s is already under way (%(key)s)", month=month,
                                    key=report_key(month))), err=True)
            sys.exit(1)
        db.session.commit()
        click.echo(f"{instance.business_key}: started (instance {instance.id})")

    @app.cli.command("seed-demo")
    @click.option("--history", is_flag=True,
                  help="also generate a year of work through the engine (README, 'A seeded year')")
    @click.option("--months", default=12, show_default=True, type=click.IntRange(1, 36),
                  help="whole months before the current one")
    @click.option("--per-month", default=15, show_default=True, type=click.IntRange(1, 500),
                  help="complaints taken in per month")
    @click.option("--seed", default=2026, show_default=True, type=int, help="the same seed, the same year")
    def seed_demo_command(history, months, per_month, seed):
        """Create the demo users of api.md (password 'demo'); with --history, a year of cases too.
        Never in production."""
        from .services.demo import seed_demo_users
        if current_app.config["ENVIRONMENT"] == "production":
            click.echo("refused: demo users are never created in production (ENVIRONMENT=production)", err=True)
            sys.exit(1)
        created = seed_demo_users()
        db.session.commit()
        click.echo(f"demo users: {created} created")
        if not history:
            return
        import time
        from .history_seed import SeedError, Sizes, seed_year
        started = time.monotonic()
        try:
            counts = seed_year(Sizes(months=months, per_month=per_month, seed=seed))
        except SeedError as err:
            click.echo(f"history: {err}", err=True)
            sys.exit(1)
        click.echo("history: {months} months seeded in {seconds:.0f} s: {complaints} complaints taken in, "
                   "{callbacks} callbacks and {returns} return applications started, {deliveries} deliveries "
                   "imported, {completions} tasks completed, {timer_passes} timer passes, penalties "
                   "{confirmed} confirmed and {waived} waived".format(
                       months=months, seconds=time.monotonic() - started, **counts))

    @app.cli.command("create-user")
    @click.argument("username")
    @click.option("--role", "roles", multiple=True, required=True)
    @click.option("--unit", default=None, help="code of the user's organisation unit (default: the group)")
    @click.password_option()
    def create_user_command(username, roles, unit, password):
        """Create a user with one or more roles, in an organisation unit."""
        from .services.accounts import create_user
        try:
            create_user(username, password, list(roles), unit=unit)
        except ValueError as err:
            raise click.UsageError(str(err)) from None
        db.session.commit()
        click.echo(f"user {username} created")

    @app.cli.command("notices")
    def notices_command():
        """Send the task notices that are due (e-mail, WeCom); the timer runner also sends them."""
        from .services.notices import deliver_due
        sent, failed = deliver_due()
        click.echo(f"notices: {sent} sent, {failed} failed")

    @app.cli.command("texts")
    def texts_command():
        """Send the text messages to customers that are due (SMS or WeCom); the timer runner also sends them."""
        from .services.texts import deliver_due
        sent, failed = deliver_due()
        click.echo(f"texts: {sent} sent, {failed} failed")

    @app.cli.command("timers")
    @click.option("--loop", is_flag=True, help="keep running: each timer fires on its second")
    @click.option("--interval", default=30.0, show_default=True,
                  help="longest sleep between passes, in seconds")
    def timers_command(loop, interval):
        """Fire the timers that are due (deadlines, delayed callbacks)."""
        from .timer_runner import run
        run(loop, interval, click.echo)

    @app.cli.command("backup")
    @click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
    def backup_command(path):
        """Write a consistent backup of the database to PATH (one file), while the service runs."""
        from .services import backup
        try:
            facts = backup.backup(path)
        except backup.BackupError as err:
            raise click.ClickException(str(err)) from None
        click.echo(f"backup written: {path} ({facts.kind}, {facts.size} bytes)\n" + _described(facts))

    @app.cli.command("restore")
    @click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
    @click.option("--force", is_flag=True, help="replace a database that already holds tables")
    def restore_command(path, force):
        """Replace the configured database with the backup at PATH."""
        from .services import backup
        try:
            facts = backup.restore(path, force=force)
        except backup.BackupError as err:
            raise click.ClickException(str(err)) from None
        click.echo(f"restored: {path} ({facts.kind}) into {db.engine.url.render_as_string(hide_password=True)}\n"
                   + _described(facts))
        if facts.migration == "older":
            click.echo(f"the backup is at revision {facts.revision}, older than this code: "
                       f"run `flask --app app db upgrade` before starting the service")


def _described(facts) -> str:
    return (f"database revision: {facts.revision}\n"
            f"instances: {facts.instances} ({facts.active_instances} running or waiting), "
            f"open tasks: {facts.open_tasks}")


def register_i18n_commands(app: Flask) -> None:
    i18n = click.Group("i18n", help="The gettext catalogue (README, 'Translations').")
    app.cli.add_command(i18n)

    @i18n.command("check")
    def check():
        """List the texts without their Chinese (and unused or broken entries); exit 1 if any."""
        from .catalogue import problems
        found = problems()
        for line in found:
            click.echo(line)
        if found:
            raise SystemExit(1)
        click.echo("the catalogue has every text")

    @i18n.command("update")
    def update():
        """Extract the texts, update messages.pot and messages.po, take a new text's Chinese
        from the ZH dict of app/i18n.py; then edit what is listed and run `pybabel compile`."""
        from .catalogue import update as update_catalogue
        for line in update_catalogue():
            click.echo(line)
