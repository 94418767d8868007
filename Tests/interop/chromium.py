"""Headless Chromium for the browser tests, the same everywhere: Debian's chromium and
chromedriver (or CHROMIUM / CHROMEDRIVER), a phone-sized window for the README's screenshots."""
import os

from selenium import webdriver
from selenium.webdriver.chrome.service import Service


def browser() -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=420,860", "--force-device-scale-factor=1"):
        options.add_argument(argument)
    service = Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
    return webdriver.Chrome(service=service, options=options)
