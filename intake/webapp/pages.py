"""The HTML pages of the web app: the demo clinic page (with the chat widget) and /about.

Every value that comes from configuration is escaped. The pages carry no inline script or
style, so the Content-Security-Policy can forbid both.
"""
from __future__ import annotations

import html
from typing import Iterable, Tuple

from intake.settings import Clinic

CRISIS_LINE = ('<p class="crisis-line"><strong>In crisis? Call or text <a href="tel:988">988</a> '
               '&middot; Emergency: <a href="tel:911">911</a></strong></p>')


def _head(title: str) -> str:
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<link rel="stylesheet" href="/static/demo.css"></head>"""


def widget_tag(rasa_public_url: str) -> str:
    """The one tag that embeds the chat widget on a page (the same tag docs/widget.md documents)."""
    return (f'<script src="/static/widget.js" data-rasa-url="{html.escape(rasa_public_url)}" '
            'data-title="Intake assistant" defer></script>')


def clinic_page(clinic: Clinic, rasa_public_url: str) -> str:
    """A demo home page of the clinic, with the chat widget embedded by its script tag."""
    name = html.escape(clinic.name)
    phone = html.escape(clinic.front_desk_phone)
    phone_href = html.escape("tel:" + "".join(c for c in clinic.front_desk_phone if c.isdigit() or c == "+"))
    return f"""{_head(clinic.name)}
<body>
<header class="site-header">
{CRISIS_LINE}
<p class="brand">{name}</p>
</header>
<main id="main">
<h1>Ketamine-assisted treatment for PTSD in {html.escape(clinic.city)}</h1>
<p>When therapy and medication have not been enough, ketamine treatment may help some people with
PTSD. A clinician decides with you whether it fits your situation.</p>
<h2>How to start</h2>
<ol>
<li>Ask our intake assistant your questions, any time (the chat button at the bottom right).</li>
<li>Check your symptoms with a short, standard questionnaire, if you like.</li>
<li>Book a consultation with a clinician, in person or by telehealth.</li>
</ol>
<p>The assistant is automated: it is not a clinician and not for emergencies.</p>
<h2>Contact</h2>
<p>{html.escape(clinic.address)}<br>
Front desk: <a href="{phone_href}">{phone}</a>, {html.escape(clinic.hours_summary())}<br>
<a href="mailto:{html.escape(clinic.front_desk_email)}">{html.escape(clinic.front_desk_email)}</a></p>
</main>
<footer class="site-footer"><p>Demo page of the intake assistant.
<a href="/about">What runs where</a></p></footer>
{widget_tag(rasa_public_url)}
</body></html>"""


def about_page(clinic: Clinic, parts: Iterable[Tuple[str, str]]) -> str:
    """A plain page listing the running parts of this deployment."""
    items = "\n".join(f"<li>{html.escape(label)}: <code>{html.escape(url)}</code></li>" for label, url in parts)
    return f"""{_head(clinic.name + " intake assistant: what runs where")}
<body>
{CRISIS_LINE}
<main>
<h1>{html.escape(clinic.name)}: intake assistant</h1>
<p>This deployment runs these parts:</p>
<ul>
{items}
</ul>
<p><a href="/">Back to the demo page</a></p>
</main>
</body></html>"""
