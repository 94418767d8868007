"""Reading Tessera's HTML forms the way a plain HTTP client would: no JavaScript, just the form
action and its inputs. Shared by the interop scripts that sign a user in without a browser."""
from html.parser import HTMLParser
from urllib.parse import urljoin


class FormReader(HTMLParser):
    """The first form of a page: its action and the values of its named inputs."""

    def __init__(self) -> None:
        super().__init__()
        self.action = None
        self.inputs: dict[str, str] = {}
        self.buttons: list[tuple[str, str]] = []
        self._in_form = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form" and self.action is None:
            self.action = attributes.get("action")
            self._in_form = True
        elif tag == "input" and self._in_form and attributes.get("name"):
            self.inputs[attributes["name"]] = attributes.get("value") or ""
        elif tag == "button" and self._in_form and attributes.get("name"):
            self.buttons.append((attributes["name"], attributes.get("value") or ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False


def read_form(response) -> tuple[str, dict[str, str], list[tuple[str, str]]]:
    reader = FormReader()
    reader.feed(response.text)
    if reader.action is None:
        raise SystemExit(f"no form on the page ({response.status_code}): {response.text[:300]}")
    return urljoin(response.url, reader.action), reader.inputs, reader.buttons


class FormsReader(HTMLParser):
    """Every form of a page: its action and the values of its named inputs."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, str], list[tuple[str, str]]]] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self.forms.append((attributes.get("action") or "", {}, []))
        elif tag == "input" and self.forms and attributes.get("name"):
            self.forms[-1][1][attributes["name"]] = attributes.get("value") or ""
        elif tag == "button" and self.forms and attributes.get("name"):
            self.forms[-1][2].append((attributes["name"], attributes.get("value") or ""))


def read_forms(response) -> list[tuple[str, dict[str, str], list[tuple[str, str]]]]:
    """Every form of the page (the login page has one per upstream identity provider too)."""
    reader = FormsReader()
    reader.feed(response.text)
    return [(urljoin(response.url, action), inputs, buttons) for action, inputs, buttons in reader.forms]


def sign_in_and_approve(browser, authorization_url: str, username: str, password: str,
                        signed_in: bool = False) -> str:
    """Follows the login and consent pages with `browser` (a requests.Session keeping cookies)
    and returns the Location Tessera redirects to: the client's redirect URI with the code.
    `signed_in`: the browser's session must still hold, so a login page is an error."""
    page = browser.get(authorization_url, allow_redirects=False, timeout=10)
    if page.status_code == 200 and 'name="password"' in page.text:
        if signed_in:
            raise SystemExit("the browser was signed in, yet the login page asked for the password again")
        action, inputs, _ = read_form(page)
        inputs.update(username=username, password=password)
        page = browser.post(action, data=inputs, allow_redirects=False, timeout=10)
    if page.status_code == 200 and 'name="decision"' in page.text:
        action, inputs, buttons = read_form(page)
        if ("decision", "approve") not in buttons:
            raise SystemExit("the consent page has no approve button")
        inputs["decision"] = "approve"
        page = browser.post(action, data=inputs, allow_redirects=False, timeout=10)
    if page.status_code != 303:
        raise SystemExit(f"expected a 303 back to the client, got {page.status_code}: {page.text[:300]}")
    return page.headers["Location"]
