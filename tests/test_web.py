"""The web app over real PDFs: API statuses with the test client, and an end-to-end run in headless Chromium."""

from __future__ import annotations

import io
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from conftest import EXAMPLES, OFF_LABEL_LETTER, encrypted_pdf, image_only_pdf
from denialparse.web import create_app


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app(max_bytes=2 * 1024 * 1024))


def upload(client: TestClient, data: bytes, name: str = "denial.pdf", path: str = "/api/v1/analyze") -> object:
    return client.post(path, files={"file": (name, io.BytesIO(data), "application/pdf")})


def test_health_and_openapi(client: TestClient) -> None:
    assert client.get("/healthz").json()["status"] == "ok"
    schema = client.get("/openapi.json").json()
    assert {"/api/v1/analyze", "/api/v1/appeal", "/healthz"} <= set(schema["paths"])


def test_analyze_returns_the_report_json(client: TestClient, make_pdf: Callable[..., Path]) -> None:
    response = upload(client, make_pdf().read_bytes())
    assert response.status_code == 200
    report = response.json()
    assert report["schema"] == "denialparse.report/1" and report["labels"][0] == "off_label"
    assert report["fields"]["member_id"]["value"] == "NWH88812345"


@pytest.mark.parametrize(
    ("make", "status", "error"),
    [
        (lambda: b"just some text, named .pdf", 415, "NotAPdfError"),
        (lambda: b"", 400, "EmptyFileError"),
        (lambda: b"%PDF-1.7\n1 0 obj << /Type /Catalog >>", 422, "CorruptPdfError"),
        (lambda: encrypted_pdf("secret"), 422, "EncryptedPdfError"),
        (lambda: image_only_pdf(), 422, "NoTextError"),
        (lambda: b"%PDF-1.4\n" + b"0" * (2 * 1024 * 1024 + 10), 413, "TooLargeError"),
    ],
)
def test_bad_uploads_get_their_own_status(
    client: TestClient, make: Callable[[], bytes], status: int, error: str
) -> None:
    response = upload(client, make())
    assert response.status_code == status
    assert response.json()["error"] == error
    page = upload(client, make(), path="/analyze")
    assert page.status_code == status and "We could not read this file" in page.text


def test_decompression_bomb_is_stopped_with_413() -> None:
    from denialparse.extract import Limits
    from hostile import decompression_bomb

    capped_client = TestClient(create_app(limits=Limits(max_memory_bytes=128 * 1024 * 1024)))
    response = upload(capped_client, decompression_bomb(400))
    assert response.status_code == 413 and "MB of memory" in response.json()["message"]


def test_slow_extraction_is_stopped_with_504(make_pdf: Callable[..., Path]) -> None:
    from denialparse.extract import Limits

    slow_client = TestClient(create_app(limits=Limits(max_seconds=0.0001)))
    response = upload(slow_client, make_pdf().read_bytes())
    assert response.status_code == 504 and response.json()["error"] == "ExtractionTimeoutError"


def test_corrected_fields_reach_the_letter(client: TestClient) -> None:
    form = {"letter_text": OFF_LABEL_LETTER, "claim.number": "CORRECTED-123", "letter": "appeal", "format": "md"}
    text = client.post("/letter", data=form).text
    assert "CORRECTED-123" in text and "UM-2026-0301-5512" not in text


def test_appeal_api_returns_each_format(client: TestClient) -> None:
    body = {"text": OFF_LABEL_LETTER, "case": {"patient": {"name": "Ann Lee"}}, "letter": "appeal", "format": "docx"}
    response = client.post("/api/v1/appeal", json=body)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    import docx

    text = "\n".join(p.text for p in docx.Document(io.BytesIO(response.content)).paragraphs)
    assert "Ann Lee" in text and "[[MISSING:" in text
    bad = client.post("/api/v1/appeal", json={**body, "case": {"patient": {"nmae": "x"}}})
    assert bad.status_code == 400 and "case facts" in bad.json()["message"]


def test_result_page_highlights_sentences_and_escapes_letter_text(
    client: TestClient, make_pdf: Callable[..., Path]
) -> None:
    hostile = OFF_LABEL_LETTER.replace("Dear Member,", "Dear <script>alert(1)</script> Member,")
    page = upload(client, make_pdf(hostile).read_bytes(), path="/analyze").text
    assert "<mark" in page and "Food and Drug Administration" in page
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert "The deadline in your own notice controls." in page


def test_nothing_is_written_to_disk(client: TestClient, make_pdf: Callable[..., Path], tmp_path: Path) -> None:
    import tempfile

    before = set(Path(tempfile.gettempdir()).iterdir())
    upload(client, make_pdf().read_bytes())
    assert set(Path(tempfile.gettempdir()).iterdir()) == before


# ---------------------------------------------------------------------------------------------------------------
# End to end in a real browser (Debian's chromium + chromedriver, driven by Selenium; no driver download).

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
ARTIFACTS = Path(__file__).resolve().parent.parent / "reports" / "test-artifacts"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    import uvicorn

    port = _free_port()
    config = uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning", access_log=False)
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    for _ in range(200):
        if instance.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    instance.should_exit = True
    thread.join(timeout=10)


@pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER),
    reason="Debian's chromium and chromium-driver are not installed (make setup installs them where apt works)",
)
def test_upload_and_download_in_headless_chromium(server: str, tmp_path: Path) -> None:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import Select, WebDriverWait

    downloads = tmp_path / "downloads"
    downloads.mkdir()
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,2000"):
        options.add_argument(argument)
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads)})
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    try:
        driver.get(server + "/")
        driver.find_element(By.ID, "file").send_keys(str(EXAMPLES / "ketamine-off-label-denial.pdf"))
        driver.find_element(By.ID, "submit").click()
        WebDriverWait(driver, 60).until(expected_conditions.presence_of_element_located((By.ID, "reasons")))
        reasons = driver.find_elements(By.CSS_SELECTOR, "tr.reason")
        assert reasons[0].get_attribute("data-label") == "off_label"
        marks = driver.find_elements(By.CSS_SELECTOR, "#letter mark")
        assert marks and "FDA-approved" in " ".join(m.text for m in marks)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(ARTIFACTS / "result-page.png"))
        driver.find_element(By.ID, "case-patient-name").send_keys("Nolan Fairweather-Test")
        Select(driver.find_element(By.ID, "letter-format")).select_by_value("docx")
        driver.find_element(By.ID, "download").click()
        for _ in range(200):
            files = [f for f in downloads.iterdir() if f.suffix == ".docx"]
            if files:
                break
            time.sleep(0.1)
        assert files, "no DOCX was downloaded"
        import docx

        text = "\n".join(p.text for p in docx.Document(str(files[0])).paragraphs)
        assert "Nolan Fairweather-Test" in text and "Off-label prescribing is lawful" in text
    finally:
        driver.quit()
    assert (ARTIFACTS / "result-page.png").stat().st_size > 10_000
