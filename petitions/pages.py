"""Where a case is presented: campaigns finds the page (campaigns.mail.case_url).

Kept as this module's name so petitions code keeps one import; there is one lookup.
"""

from campaigns.mail import case_url as case_page_url

__all__ = ["case_page_url"]
