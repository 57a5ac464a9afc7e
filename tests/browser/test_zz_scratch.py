import pytest
from cmm.demo import seed_demo
from tests.browser.test_login_mobile import log_in

@pytest.mark.browser
def test_scratch(live_server, new_page, screenshot):
    seed_demo()
    from tests.browser.conftest import MOBILE
    page = new_page(**MOBILE)
    log_in(page, live_server.url, "orgadmin")
    page.wait_for_url(f"{live_server.url}/")
    screenshot(page, "scratch_home_mobile.png")
    page.goto(f"{live_server.url}/members/")
    print("members sw", page.evaluate("document.documentElement.scrollWidth"))
    screenshot(page, "scratch_members_mobile.png")
    page2 = new_page(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True, device_scale_factor=2)
    page2.goto(f"{live_server.url}/accounts/login/")
    print("default-locale lang", page2.evaluate("document.documentElement.lang"))
    log_in(page2, live_server.url, "shelter")
    page2.wait_for_load_state()
    print("shelter url", page2.url)
    screenshot(page2, "scratch_shelter.png")
