"""Staff accounts of the front-desk console, from the command line.

    python -m intake.frontdesk.staff add USERNAME --name "Display Name"   # asks for the password twice
    python -m intake.frontdesk.staff add USERNAME --name "Dana" --password-stdin < file
    python -m intake.frontdesk.staff list
    python -m intake.frontdesk.staff disable USERNAME    # no more sign-ins; open sessions end now
    python -m intake.frontdesk.staff enable USERNAME
    python -m intake.frontdesk.staff unlock USERNAME     # forget failed sign-ins (no more waiting)
    python -m intake.frontdesk.staff password USERNAME [--password-stdin]   # new password; sessions end
    python -m intake.frontdesk.staff code-on USERNAME    # a one-time code from an app at each sign-in
    python -m intake.frontdesk.staff code-off USERNAME   # password alone again (a lost phone)
    python -m intake.frontdesk.staff reads [--days 30]   # who opened which conversation, and when

The display name is what the person sees in the chat ("Dana from the front desk has joined").
Passwords are at least 12 characters and are stored only as argon2id hashes. The database is the
app database (config/clinic.yml, or INTAKE_DATABASE_URL).
"""
from __future__ import annotations

import argparse
import getpass
import sys
from datetime import datetime, timedelta, timezone
from typing import List, Optional

from intake.frontdesk import accounts, reads, second_factor
from intake.frontdesk.accounts import MIN_PASSWORD_LENGTH, AccountError
from intake.notifications.config import console_url
from intake.settings import settings


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        return line[:-1] if line.endswith("\n") else line
    first = getpass.getpass(f"Password (at least {MIN_PASSWORD_LENGTH} characters): ")
    second = getpass.getpass("The same password again: ")
    if first != second:
        raise AccountError("The two passwords differ; nothing was changed.")
    return first


def _when(moment) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else ""


def _print_reads(days: int) -> int:
    since = datetime.now(timezone.utc) - timedelta(days=max(days, 0))
    rows = reads.reads_since(since)
    if not rows:
        print(f"No conversation was opened by staff in the last {days} days.")
        return 0
    print(f"{'when':<22} {'staff member':<20} {'item':<8} conversation")
    for row in rows:
        item = f"#{row.handoff_id}" if row.handoff_id is not None else ""
        print(f"{_when(row.read_at):<22} {row.staff_username:<20} {item:<8} {row.conversation_id}")
    return 0


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m intake.frontdesk.staff",
                                     description="Staff accounts of the front-desk console.")
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add", help="create an account (asks for the password)")
    add.add_argument("username")
    add.add_argument("--name", required=True, help="display name, shown to the person in the chat")
    add.add_argument("--password-stdin", action="store_true", help="read the password as one line from stdin")
    commands.add_parser("list", help="list the accounts")
    for name, text in (("disable", "refuse sign-ins and end the account's sessions"),
                       ("enable", "allow sign-ins again"), ("unlock", "forget failed sign-ins (no more waiting)"),
                       ("code-on", "ask for a one-time code from an authenticator app at each sign-in"),
                       ("code-off", "sign in with the password alone again")):
        sub = commands.add_parser(name, help=text)
        sub.add_argument("username")
    reads = commands.add_parser("reads", help="which staff member opened which conversation, and when")
    reads.add_argument("--days", type=int, default=30, help="how far back (default 30 days)")
    password = commands.add_parser("password", help="set a new password (the account's sessions end)")
    password.add_argument("username")
    password.add_argument("--password-stdin", action="store_true")
    args = parser.parse_args(argv)

    try:
        if args.command == "add":
            username = accounts.check_username(args.username)
            if accounts.get_account(username) is not None:
                raise AccountError(f"There is already an account '{username}'.")
            member = accounts.create_account(username, args.name, _read_password(args.password_stdin))
            print(f"Created the staff account '{member.username}' ({member.display_name}). "
                  f"Sign in at {console_url()}")
            return 0
        if args.command == "list":
            members = accounts.list_accounts()
            if not members:
                print("No staff accounts yet. Create one with: python -m intake.frontdesk.staff add USERNAME "
                      '--name "Display Name"')
                return 0
            print(f"{'username':<20} {'display name':<28} {'state':<32} created")
            for member in members:
                state = "disabled" if member.disabled else "active"
                state += ", one-time code" if member.second_factor else ""
                print(f"{member.username:<20} {member.display_name:<28} {state:<32} {_when(member.created_at)}")
            return 0
        if args.command == "code-on":
            secret = accounts.start_second_factor(args.username)
            if secret is None:
                raise AccountError(f"There is no account '{accounts.normalize_username(args.username)}'.")
            name = accounts.normalize_username(args.username)
            print(f"'{name}' now signs in with a one-time code; its sessions have ended. In the authenticator "
                  f"app, add an account with this key:\n  {secret}\nor open this address (e.g. as a QR code):\n"
                  f"  {second_factor.setup_uri(secret, name, settings().clinic.name)}")
            return 0
        if args.command == "reads":
            return _print_reads(args.days)
        if args.command == "password":
            if accounts.get_account(args.username) is None:
                raise AccountError(f"There is no account '{accounts.normalize_username(args.username)}'.")
            accounts.set_password(args.username, _read_password(args.password_stdin))
            print(f"New password set for '{accounts.normalize_username(args.username)}'; its sessions have ended.")
            return 0
        action = {"disable": accounts.disable_account, "enable": accounts.enable_account,
                  "unlock": accounts.clear_waits, "code-off": accounts.stop_second_factor}[args.command]
        if not action(args.username):
            raise AccountError(f"There is no account '{accounts.normalize_username(args.username)}'.")
        done = {"disable": "disabled (its sessions have ended)", "enable": "enabled",
                "unlock": "cleared of failed sign-ins", "code-off": "signing in with the password alone"}
        print(f"Account '{accounts.normalize_username(args.username)}' {done[args.command]}.")
        return 0
    except AccountError as error:
        print(f"Error: {error}", file=sys.stderr)
        return 1
    except (KeyboardInterrupt, EOFError):
        print("\nCancelled; nothing was changed.", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
