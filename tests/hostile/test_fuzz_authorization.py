"""Property: whatever follows ``Authorization:`` (random Latin-1 text, or three random
base64url segments shaped like a JWT), verify and logout answer 401 with a JSON error code."""

from __future__ import annotations

import httpx
import hypothesis
import pytest
from hypothesis import strategies as st

from chaos.attacks import error_code

from .conftest import Target

pytestmark = pytest.mark.hostile

EXAMPLES = 150
B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
# what RFC 9110 allows in a field value: VCHAR and obs-text (no DEL, CR, LF, NUL); a byte
# outside it is a malformed HTTP request, answered 400 by the HTTP parser before the app
FIELD_CHARS = st.one_of(
    st.characters(min_codepoint=0x21, max_codepoint=0x7E),
    st.characters(min_codepoint=0x80, max_codepoint=0xFF),
)
FIELD_TEXT = st.text(FIELD_CHARS, max_size=300)
SEGMENT = st.text(st.sampled_from(B64URL), max_size=120)
JWT_SHAPED = st.tuples(SEGMENT, SEGMENT, SEGMENT).map(".".join)
VALUES = st.one_of(
    FIELD_TEXT.map(lambda text: text.encode("latin-1")),
    JWT_SHAPED.map(lambda token: f"Bearer {token}".encode()),
    FIELD_TEXT.map(lambda text: b"Bearer " + text.encode("latin-1")),
)


@pytest.mark.parametrize(("method", "path"), [("GET", "/auth/verify"), ("POST", "/auth/logout")])
def test_fuzzed_authorization_is_refused(
    target: Target, client: httpx.Client, method: str, path: str, figures: dict[str, int]
) -> None:
    sent: list[int] = []

    @hypothesis.given(value=VALUES)
    @hypothesis.settings(
        max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
        suppress_health_check=list(hypothesis.HealthCheck),
    )  # fmt: skip
    def refused(value: bytes) -> None:
        # trailing whitespace is not part of a field value: clients refuse to send it
        answer = client.request(method, path, headers=[(b"Authorization", value.rstrip())])
        sent.append(answer.status_code)
        assert answer.status_code == 401, (value[:80], answer.status_code, answer.text[:200])
        assert error_code(answer.content), answer.text[:200]

    refused()
    figures[f"fuzz_authorization{path.replace('/', '_')}"] = len(sent)
    assert len(sent) >= EXAMPLES // 2
