"""Links to a moment of a recording, per platform."""

from __future__ import annotations

import pytest

from ingest.recording import moment_url


@pytest.mark.parametrize(("recording", "link"), [
    ("https://www.youtube.com/watch?v=abc", "https://www.youtube.com/watch?v=abc&t=754"),
    ("https://www.youtube.com/watch?v=abc&t=10s", "https://www.youtube.com/watch?v=abc&t=754"),
    ("https://youtu.be/abc", "https://youtu.be/abc?t=754"),
    ("https://vimeo.com/123456", "https://vimeo.com/123456#t=754s"),
    ("https://www.dailymotion.com/video/x8", "https://www.dailymotion.com/video/x8?start=754"),
    ("https://webcast.wipo.int/video/WIPO_CONV_12", "https://webcast.wipo.int/video/WIPO_CONV_12#t=754"),
    ("https://example.org/day1.mp4#t=5", "https://example.org/day1.mp4#t=754"),
])
def test_each_platform_gets_its_own_time_parameter(recording: str, link: str) -> None:
    assert moment_url(recording, 754.9) == link
