#!/usr/bin/env python3
"""Writes the mail corpus of issue 6 (tests/data/mail/NAME.eml + NAME.expected.json).

Run once after changing a message; the files are committed. The 30 MB message is not: the tests
build it when they run (`make_corpus.py --big DIR` writes it for the end-to-end tests, and
tests/unit/mail/test_parse.c builds the same bytes in memory). See README.md.
"""
import base64
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = {}


def msg(name, headers, body, expected, crlf=False):
    """headers: list of (name, value) or raw lines (str); body: bytes or str."""
    lines = []
    for h in headers:
        lines.append(h if isinstance(h, str) else "%s: %s" % h)
    head = "\n".join(lines) + "\n\n"
    data = head.encode("utf-8") + (body if isinstance(body, bytes) else body.encode("utf-8"))
    if crlf:
        data = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    if expected.get("outcome") == "failed":
        base = dict(expected)  # a failed parse has only its reason to compare
    else:
        base = {"outcome": "ticket", "subject": "", "from": "", "text_contains": [],
                "visible_excludes": [], "attachments": [], "dropped": [], "auto": False}
        base.update(expected)
    CORPUS[name] = (data, base)


STD = [("From", "Ada Lovelace <ada@Example.COM>"), ("To", "Support <support@rarelogic.example>"),
       ("Date", "Wed, 02 Dec 2026 15:00:00 +0000"), ("MIME-Version", "1.0")]


def std(msgid, subject, *more):
    return STD + [("Message-ID", "<%s@mail.example.com>" % msgid), ("Subject", subject)] + list(more)


def b64(data, width=76):
    enc = base64.b64encode(data).decode()
    return "\n".join(enc[i:i + width] for i in range(0, len(enc), width)) + "\n"


PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def build():
    msg("alternative", std("alt-1", "Printer on floor 3 is jammed",
                           ("Content-Type", 'multipart/alternative; boundary="alt-b"')),
        "This is a multi-part message in MIME format.\n\n"
        "--alt-b\nContent-Type: text/plain; charset=utf-8\n\n"
        "The printer jams on every second page.\nCan someone look at it?\n\n"
        "--alt-b\nContent-Type: text/html; charset=utf-8\n\n"
        "<html><body><p>The <b>HTML</b> version must not win.</p></body></html>\n"
        "--alt-b--\n",
        {"subject": "Printer on floor 3 is jammed", "from": "ada@example.com",
         "text_contains": ["The printer jams on every second page.", "Can someone look at it?"],
         "visible_excludes": ["HTML"]}, crlf=True)

    msg("nested", std("nested-1", "Report attached",
                      ("Content-Type", 'multipart/mixed; boundary="mix"')),
        "--mix\nContent-Type: multipart/alternative; boundary=\"alt\"\n\n"
        "--alt\nContent-Type: text/plain; charset=us-ascii\n\nPlease see the attached report.\n"
        "--alt\nContent-Type: multipart/related; boundary=\"rel\"\n\n"
        "--rel\nContent-Type: text/html; charset=utf-8\n\n"
        "<p>Please see the <img src=\"cid:logo\"> attached report (html).</p>\n"
        "--rel\nContent-Type: image/png; name=\"logo.png\"\nContent-Disposition: inline; filename=\"logo.png\"\n"
        "Content-ID: <logo>\nContent-Transfer-Encoding: base64\n\n" + b64(PNG) +
        "--rel--\n--alt--\n"
        "--mix\nContent-Type: application/pdf; name=\"report.pdf\"\n"
        "Content-Disposition: attachment; filename=\"report.pdf\"\nContent-Transfer-Encoding: base64\n\n"
        + b64(PDF) + "--mix--\n",
        {"subject": "Report attached", "from": "ada@example.com",
         "text_contains": ["Please see the attached report."], "visible_excludes": ["(html)"],
         "attachments": ["logo.png", "report.pdf"]})

    msg("base64_body", std("b64-1", "Base64 body",
                           ("Content-Type", "text/plain; charset=UTF-8"),
                           ("Content-Transfer-Encoding", "base64")),
        b64("Grüße aus Zürich,\nder Drucker streikt — schon wieder.\n".encode()),
        {"subject": "Base64 body", "from": "ada@example.com",
         "text_contains": ["Grüße aus Zürich,", "der Drucker streikt — schon wieder."]})

    msg("quoted_printable", std("qp-1", "Quoted-printable body",
                                ("Content-Type", "text/plain; charset=utf-8"),
                                ("Content-Transfer-Encoding", "quoted-printable")),
        "Le caf=C3=A9 est froid et la machine fait un bruit tr=C3=A8s =\n"
        "inqui=C3=A9tant depuis ce matin.\nA=3DB is not a formula.\n",
        {"subject": "Quoted-printable body", "from": "ada@example.com",
         "text_contains": ["Le café est froid et la machine fait un bruit très inquiétant depuis ce matin.",
                           "A=B is not a formula."]})

    msg("iso8859_1", std("latin1-1", "Latin-1 body",
                         ("Content-Type", "text/plain; charset=ISO-8859-1"),
                         ("Content-Transfer-Encoding", "8bit")),
        "Un café crème, s'il vous plaît. Prix: 3,50 ¤.\n".encode("latin-1"),
        {"subject": "Latin-1 body", "from": "ada@example.com",
         "text_contains": ["Un café crème, s'il vous plaît."]})

    msg("windows1252", std("cp1252-1", "Windows-1252 body",
                           ("Content-Type", "text/plain; charset=windows-1252"),
                           ("Content-Transfer-Encoding", "quoted-printable")),
        "The invoice says =93=8042=94 but the quote said =9130 =80=92 =96 why?\n",
        {"subject": "Windows-1252 body", "from": "ada@example.com",
         "text_contains": ["The invoice says “€42” but the quote said ‘30 €’ – why?"]})

    msg("undeclared_8bit", std("raw8-1", "Undeclared 8-bit body",
                               ("Content-Type", "text/plain"),
                               ("Content-Transfer-Encoding", "8bit")),
        "Na\xefve \x93smart quotes\x94 and \x80 signs.\n".encode("latin-1"),
        {"subject": "Undeclared 8-bit body", "from": "ada@example.com",
         "text_contains": ["Naïve “smart quotes” and € signs."]})

    msg("rfc2047_b", STD + [("Message-ID", "<b-1@mail.example.com>"),
                            ("Subject", "=?UTF-8?B?RHJ1Y2tlciBrYXB1dHQg4oCUIGJpdHRl?= =?UTF-8?B?IGhlbGZlbg==?="),
                            ("Content-Type", "text/plain; charset=utf-8")],
        "Body.\n",
        {"subject": "Drucker kaputt — bitte helfen", "from": "ada@example.com",
         "text_contains": ["Body."]})

    msg(
        "rfc2047_q",
        [("From", "=?ISO-8859-1?Q?Andr=E9_M=FCller?= <andre@Example.org>"),
         ("To", "support@rarelogic.example"), ("Date", "Wed, 02 Dec 2026 15:00:00 +0000"),
         ("Message-ID", "<q-1@example.org>"),
         "Subject: =?ISO-8859-1?Q?Caf=E9_machine?= is\n =?UTF-8?Q?_br=C3=BBl=C3=A9e?=\n =?utf-8?q?_=E2=82=AC?=",
         ("Content-Type", "text/plain; charset=utf-8")],
        "Split encoded words.\n",
        {"subject": "Café machine is brûlée €", "from": "andre@example.org",
         "text_contains": ["Split encoded words."]})

    msg("html_only", std("html-1", "HTML only",
                         ("Content-Type", "text/html; charset=utf-8")),
        "<!DOCTYPE html><html><head><title>Ignored title</title><style>p{color:red}</style>"
        "<script>alert('x')</script></head><body>\n"
        "<p>Hello &amp; welcome,</p><p>the   app\n   shows &lt;error 42&gt; &quot;again&quot; &#39;today&#39;&nbsp;&#8364;&#x263A;.</p>"
        "<ul><li>first</li><li>second</li></ul>"
        "<p>See <a href=\"https://portal.example.com/help\">our portal</a> or "
        "<a href=\"https://example.com\">https://example.com</a>.</p><div>Bye<br>Ada</div>"
        "<!-- a comment --></body></html>\n",
        {"subject": "HTML only", "from": "ada@example.com",
         "text_contains": ["Hello & welcome,", "the app shows <error 42> \"again\" 'today' €☺.",
                           "- first\n- second", "See our portal (https://portal.example.com/help) or https://example.com.",
                           "Bye\nAda"],
         "visible_excludes": ["alert", "Ignored title", "color:red", "a comment", "(https://example.com)"]})

    msg("no_body", std("nobody-1", "Subject only, no body"), "",
        {"subject": "Subject only, no body", "from": "ada@example.com"})

    msg("missing_boundary", std("nob-1", "Multipart without boundary",
                                ("Content-Type", "multipart/mixed")),
        "--x\nContent-Type: text/plain\n\nHello\n--x--\n",
        {"outcome": "failed", "reason": "bad_boundary"})

    msg("boundary_never_occurs", std("nob-2", "Boundary never occurs",
                                     ("Content-Type", 'multipart/mixed; boundary="declared"')),
        "--other\nContent-Type: text/plain\n\nHello\n--other--\n",
        {"outcome": "failed", "reason": "bad_boundary"})

    deep = []
    levels = 2000
    for i in range(levels):
        deep.append("--b%d\nContent-Type: multipart/mixed; boundary=\"b%d\"\n\n" % (i, i + 1))
    deep.append("--b%d\nContent-Type: text/plain\n\ndeep\n--b%d--\n" % (levels, levels))
    for i in reversed(range(levels)):
        deep.append("--b%d--\n" % i)
    msg("deep_nesting", std("deep-1", "2000 levels", ("Content-Type", 'multipart/mixed; boundary="b0"')),
        "".join(deep), {"outcome": "failed", "reason": "too_deep"})

    msg("out_of_office", std("ooo-1", "Automatic reply: Printer on floor 3 is jammed",
                             ("Auto-Submitted", "auto-replied"),
                             ("X-Auto-Response-Suppress", "All"),
                             ("Content-Type", "text/plain; charset=utf-8")),
        "I am out of the office until Monday, December 7.\n",
        {"subject": "Automatic reply: Printer on floor 3 is jammed", "from": "ada@example.com",
         "text_contains": ["I am out of the office until Monday, December 7."], "auto": True})

    msg("dsn_bounce",
        [("From", "Mail Delivery System <MAILER-DAEMON@mx.Example.net>"),
         ("To", "support@rarelogic.example"), ("Date", "Wed, 02 Dec 2026 15:05:00 +0000"),
         ("Message-ID", "<dsn-1@mx.example.net>"), ("Subject", "Undelivered Mail Returned to Sender"),
         ("Auto-Submitted", "auto-replied"), ("MIME-Version", "1.0"),
         ("Content-Type", 'multipart/report; report-type=delivery-status; boundary="dsn"')],
        "--dsn\nContent-Type: text/plain; charset=us-ascii\n\n"
        "This is the mail system at host mx.example.net.\n\nI'm sorry to have to inform you that your message could not\nbe delivered to one or more recipients.\n\n"
        "--dsn\nContent-Type: message/delivery-status\n\n"
        "Reporting-MTA: dns; mx.example.net\nArrival-Date: Wed,  2 Dec 2026 15:04:59 +0000\n\n"
        "Final-Recipient: rfc822; Nobody@Example.ORG\nOriginal-Recipient: rfc822;nobody@example.org\n"
        "Action: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 user unknown\n\n"
        "--dsn\nContent-Type: message/rfc822\n\n"
        "From: RareLogic Support <support@rarelogic.example>\nTo: nobody@example.org\n"
        "Subject: [#7-0badf00d] Your request\nMessage-ID: <outbox-7.1@rarelogic.example>\n\nHello.\n\n"
        "--dsn--\n",
        {"outcome": "bounce", "subject": "Undelivered Mail Returned to Sender",
         "from": "MAILER-DAEMON@mx.example.net", "text_contains": ["could not\nbe delivered"],
         "auto": True, "bounce_recipient": "Nobody@example.org"})

    msg("forged_token", std("forged-1", "Re: [#1-deadbeef] Please give me access",
                            ("Content-Type", "text/plain; charset=utf-8")),
        "I guessed the ticket number.\n",
        {"subject": "Re: [#1-deadbeef] Please give me access", "from": "ada@example.com",
         "text_contains": ["I guessed the ticket number."]})

    msg("reply_token", std("reply-1", "Re: [{{TOKEN}}] Printer on floor 3 is jammed",
                           ("Content-Type", "text/plain; charset=utf-8")),
        "It works again, thank you.\n",
        {"outcome": "reply", "needs_ticket": True,
         "subject": "Re: [{{TOKEN}}] Printer on floor 3 is jammed", "from": "ada@example.com",
         "text_contains": ["It works again, thank you."]})

    msg("reply_in_reply_to", std("reply-2", "Re: Your request",
                                 ("In-Reply-To", "{{MESSAGE_ID}}"), ("References", "{{MESSAGE_ID}}"),
                                 ("Content-Type", "text/plain; charset=utf-8")),
        "Threaded by In-Reply-To only.\n",
        {"outcome": "reply", "needs_ticket": True, "subject": "Re: Your request",
         "from": "ada@example.com", "text_contains": ["Threaded by In-Reply-To only."]})

    msg("reply_quoted", std("reply-3", "Re: [{{TOKEN}}] Printer on floor 3 is jammed",
                            ("In-Reply-To", "{{MESSAGE_ID}}"),
                            ("Content-Type", "text/plain; charset=utf-8")),
        "Thanks, that fixed it.\n\n-- \nAda Lovelace\nAnalytical Engines Ltd\n\n"
        "On Wed, Dec 2, 2026 at 3:00 PM RareLogic Support <support@rarelogic.example>\nwrote:\n\n"
        "> We reset the printer queue.\n> Please try again.\n",
        {"outcome": "reply", "needs_ticket": True,
         "subject": "Re: [{{TOKEN}}] Printer on floor 3 is jammed", "from": "ada@example.com",
         "text_contains": ["Thanks, that fixed it.", "We reset the printer queue."],
         "visible_excludes": ["We reset the printer queue.", "wrote:", "Analytical Engines"]})

    msg("outlook_reply", std("outlook-1", "RE: Printer", ("Content-Type", "text/plain; charset=utf-8")),
        "Still broken on my side.\n\n________________________________\nFrom: RareLogic Support <support@rarelogic.example>\n"
        "Sent: Wednesday, December 2, 2026 3:00 PM\nTo: Ada Lovelace\nSubject: Printer\n\nDid you try turning it off and on?\n",
        {"subject": "RE: Printer", "from": "ada@example.com",
         "text_contains": ["Still broken on my side.", "Did you try turning it off and on?"],
         "visible_excludes": ["Did you try", "Sent:", "________"]})

    msg("precedence_bulk", std("bulk-1", "Our December newsletter", ("Precedence", "bulk"),
                               ("List-Unsubscribe", "<mailto:unsubscribe@news.example.com>"),
                               ("Content-Type", "text/plain; charset=utf-8")),
        "Ten tips for better printing.\n",
        {"subject": "Our December newsletter", "from": "ada@example.com",
         "text_contains": ["Ten tips for better printing."], "auto": True})

    msg("attachment_names", std("att-1", "Files with odd names",
                                ("Content-Type", 'multipart/mixed; boundary="m"')),
        "--m\nContent-Type: text/plain\n\nThree files.\n"
        "--m\nContent-Type: application/pdf\nContent-Disposition: attachment; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf\n"
        "Content-Transfer-Encoding: base64\n\n" + b64(PDF) +
        "--m\nContent-Type: text/plain; name=\"notes.txt\"\nContent-Disposition: attachment; filename=\"C:\\\\Users\\\\ada\\\\notes.txt\"\n\nnot the body\n"
        "--m\nContent-Type: application/octet-stream\n\nno name\n--m--\n",
        {"subject": "Files with odd names", "from": "ada@example.com",
         "text_contains": ["Three files."], "visible_excludes": ["not the body"],
         "attachments": ["résumé.pdf", "notes.txt", "attachment"]})

    not_mail = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
    CORPUS["not_mail"] = (not_mail, {"outcome": "failed", "reason": "not_mail"})

    msg("no_from", [("To", "support@rarelogic.example"), ("Subject", "Who am I?"),
                    ("Message-ID", "<nofrom-1@example.com>")],
        "There is no From header.\n", {"outcome": "failed", "reason": "no_sender"})


BIG_SIZE = 30 * 1000 * 1000  # decoded bytes of big.bin


def big_message():
    """The 30 MB message: big.bin is BIG_SIZE bytes, byte i = i % 251, base64 in 76-column lines.
    tests/unit/mail/test_parse.c builds exactly these bytes."""
    head = ("From: Ada Lovelace <ada@example.com>\nTo: support@rarelogic.example\n"
            "Subject: A 30 MB attachment\nMessage-ID: <big-1@mail.example.com>\nMIME-Version: 1.0\n"
            "Content-Type: multipart/mixed; boundary=\"big\"\n\n"
            "--big\nContent-Type: text/plain\n\nThe log file is attached.\n"
            "--big\nContent-Type: application/octet-stream\n"
            "Content-Disposition: attachment; filename=\"big.bin\"\nContent-Transfer-Encoding: base64\n\n")
    data = bytes(i % 251 for i in range(251)) * (BIG_SIZE // 251 + 1)
    return head.encode() + b64(data[:BIG_SIZE], 76).encode() + b"--big--\n"


BIG_EXPECTED = {"outcome": "ticket", "subject": "A 30 MB attachment", "from": "ada@example.com",
                "text_contains": ["The log file is attached."], "visible_excludes": [],
                "attachments": [], "dropped": ["big.bin"], "auto": False}


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--big":
        with open(os.path.join(sys.argv[2], "big_attachment.eml"), "wb") as f:
            f.write(big_message())
        return
    build()
    for name, (data, expected) in CORPUS.items():
        with open(os.path.join(HERE, name + ".eml"), "wb") as f:
            f.write(data)
        with open(os.path.join(HERE, name + ".expected.json"), "w", encoding="utf-8") as f:
            json.dump(expected, f, ensure_ascii=False, indent=2)
            f.write("\n")
    with open(os.path.join(HERE, "big_attachment.expected.json"), "w", encoding="utf-8") as f:
        json.dump(BIG_EXPECTED, f, ensure_ascii=False, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
