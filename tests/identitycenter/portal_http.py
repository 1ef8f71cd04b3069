"""The access portal driven over HTTP as a person's browser does: sign in (the CSRF token from the form, the
session cookie kept) and allow a device's user code."""

from __future__ import annotations

import http.cookiejar
import re
import urllib.parse
import urllib.request


class PortalBrowser:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> tuple[int, str, str]:
        """(status, final URL, page) after redirects."""
        with self.opener.open(self.base_url + path, timeout=30) as response:
            return response.status, response.url, response.read().decode()

    def post(self, path: str, form_page: str, fields: dict[str, str]) -> tuple[int, str, str]:
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form_page).group(1)
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": token, **fields}).encode()
        try:
            with self.opener.open(self.base_url + path, data=body, timeout=30) as response:
                return response.status, response.url, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.url, error.read().decode()

    def allow_device(self, user_code: str, user_name: str, password: str) -> str:
        """Open the verification page, sign in on the way, allow the code; the page that says so."""
        target = f"/start/device/?user_code={user_code}"
        status, url, page = self.get(target)
        assert status == 200 and "/start/?next=" in url, url
        status, url, page = self.post("/start/", page, {"user_name": user_name, "password": password,
                                                        "next": target})
        assert status == 200 and url.endswith(target), (status, url, page[:500])
        status, _, done = self.post("/start/device/", page, {"user_code": user_code})
        assert status == 200 and "device-approved" in done, done[:500]
        return done
