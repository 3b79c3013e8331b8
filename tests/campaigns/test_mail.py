"""What reaches an email header from campaigns.mail.send_template is one line."""

from django.core import mail

from campaigns.mail import send_template


def test_a_subject_with_line_breaks_reaches_the_header_as_one_line():
    send_template(
        template="campaigns/email/data_link",
        to="ana@example.org",
        language="en",
        subject="UA 58/20\r\nBcc: victim@example.org\u2028X-Injected: 1",
        context={"name": "Ana", "link": "https://pluma.example.org/my-data/open/x/", "hours": 24},
    )

    sent = mail.outbox[0]
    assert sent.subject == "UA 58/20 Bcc: victim@example.org X-Injected: 1"
    headers = sent.message().as_string().split("\n\n", 1)[0]
    assert "\nBcc:" not in headers and "\nX-Injected:" not in headers
    assert sent.recipients() == ["ana@example.org"]
