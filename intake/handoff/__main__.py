"""The front-desk queue from a terminal, for when the console is not at hand.

    python -m intake.handoff list            open items, most urgent first
    python -m intake.handoff card ID         one item's summary card (JSON; contains contact details)

`--database-url` reads another app database than the configured one (INTAKE_DATABASE_URL).
"""
from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime, timezone
from typing import List, Optional

from intake.handoff.items import HandoffItem
from intake.handoff.queue import get_item, open_items
from intake.handoff.summary import summary_card


def _age(item: HandoffItem, now: datetime) -> str:
    minutes = int((now - item.created_at).total_seconds() // 60)
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h {minutes % 60:02d}"
    return f"{minutes // (24 * 60)} days"


def list_lines(items: List[HandoffItem], now: Optional[datetime] = None) -> List[str]:
    now = now or datetime.now(timezone.utc)
    if not items:
        return ["No open handoff items."]
    lines = [f"{'ID':>5}  {'PRIORITY':<8}  {'STATUS':<7}  {'AGE':>9}  {'CHANNEL':<8}  {'CLAIMED BY':<12}  REASONS"]
    for item in items:
        lines.append(f"{item.id:>5}  {item.priority:<8}  {item.status:<7}  {_age(item, now):>9}  "
                     f"{item.channel or '-':<8}  {item.claimed_by or '-':<12}  {', '.join(item.reasons)}")
    return lines


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m intake.handoff", description="The front-desk handoff queue.")
    parser.add_argument("--database-url", default=None, help="app database URL (default: the configured one)")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="open items, most urgent first")
    card = commands.add_parser("card", help="one item's summary card as JSON")
    card.add_argument("item_id", type=int)
    args = parser.parse_args(argv)

    if args.command == "list":
        print("\n".join(list_lines(open_items(args.database_url))))
        return 0
    item = get_item(args.item_id, args.database_url)
    if item is None:
        print(f"No handoff item {args.item_id}.", file=sys.stderr)
        return 1
    details = {"id": item.id, "conversation_id": item.conversation_id, "priority": item.priority,
               "status": item.status, "reasons": item.reasons, "claimed_by": item.claimed_by,
               "created_at": item.created_at.isoformat(), **summary_card(item, args.database_url)}
    print(json.dumps(details, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
