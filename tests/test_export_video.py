"""MP4 and WebM: read back by ffmpeg (codec, pixel format, size, frame count, duration) and decoded
frame by frame against the raster painter's frames (the GIF's pixels)."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

import convanim
from convanim.display import FrameInfo, Frames
from convanim.export import video
from convanim.paint.raster import RasterPainter
from tests.helpers import hex_rgb, small
from tests.media import decode, probe

# small(): 684×392 px, 11 frames of 300, 9 × 100 and 700 ms = 1.9 s
DURATIONS = [300, *[100] * 9, 700]


def frame_of(video_index: int, tick: int, durations: list[int]) -> int:
    """The animation frame shown by video frame ``video_index`` (``tick`` ms each)."""
    t, k = video_index * tick, 0
    while t >= durations[k]:
        t -= durations[k]
        k += 1
    return k


@pytest.mark.parametrize(("fmt", "codec"), [("mp4", "h264"), ("webm", "vp9")])
def test_video_keeps_every_frame_for_its_duration(tmp_path, fmt, codec):
    s = small()
    frames = s.frames()
    assert [f.duration_ms for f in frames.frames] == DURATIONS
    path = tmp_path / f"small.{fmt}"
    size = s.save(path)
    assert size == path.stat().st_size > 0
    info = probe(path)
    assert (info.codec, info.pix_fmt, info.width, info.height, info.fps) == (codec, "yuv420p", 684, 392, 10.0)
    assert info.duration_s == pytest.approx(1.9, abs=0.1)  # within one video frame
    decoded = decode(path, 684, 392)
    assert len(decoded) == 19  # 1.9 s at 10 fps
    painter = RasterPainter(frames)
    reference = [painter.frame(k).astype(int) for k in range(len(frames))]
    for v, picture in enumerate(decoded):
        errors = [np.abs(picture.astype(int) - ref).mean() for ref in reference]
        expected = frame_of(v, 100, DURATIONS)
        assert int(np.argmin(errors)) == expected, (v, errors)
        assert errors[expected] < 1.5  # encoding tolerance: mean |Δ| per channel, of 255


def test_sampled_video_frames_match_the_gif(tmp_path):
    s = small()
    s.save(tmp_path / "small.gif")
    s.save(tmp_path / "small.mp4")
    decoded = decode(tmp_path / "small.mp4", 684, 392)
    with Image.open(tmp_path / "small.gif") as gif:
        for k in (0, 1, 5, 10):
            gif.seek(k)
            start = sum(DURATIONS[:k]) // 100
            diff = np.abs(decoded[start].astype(int) - np.asarray(gif.convert("RGB"), int))
            assert diff.mean() < 1.5, (k, diff.mean())


def test_mp4_is_web_ready_and_byte_reproducible(tmp_path):
    s = small()
    first, second = s.to_bytes("mp4"), s.to_bytes("mp4")
    assert first == second
    assert first.index(b"moov") < first.index(b"mdat")  # +faststart: the index comes first
    assert s.to_bytes("webm") == s.to_bytes("webm")


def test_sixteen_by_nine_pads_with_the_background_around_the_picture(tmp_path):
    s = small()
    frames = s.frames()
    path = tmp_path / "wide.mp4"
    s.save(path, aspect="16:9")
    info = probe(path)
    assert (info.width, info.height) == (704, 396)  # 16·44 × 9·44, the smallest even 16:9 holding 684×392
    last = decode(path, 704, 396)[-1].astype(int)
    x0, y0 = (704 - 684) // 2, (396 - 392) // 2
    inner = last[y0 : y0 + 392, x0 : x0 + 684]
    assert np.abs(inner - RasterPainter(frames).frame(len(frames) - 1)).mean() < 1.5
    background = np.array(hex_rgb(frames.background))
    assert np.abs(last[:, : x0 - 2] - background).max() <= 3  # the pad, away from the picture's edge


def test_scale_doubles_the_video(tmp_path):
    path = tmp_path / "big.webm"
    small().save(path, scale=2)
    assert (probe(path).width, probe(path).height) == (1368, 784)


def test_frame_rate_and_padding_arithmetic():
    def frames_of(durations):
        infos = tuple(FrameInfo(d, None, None, "") for d in durations)
        return Frames("t", 10, 10, "#ffffff", (), infos, None)  # type: ignore[arg-type]

    assert video.frame_ms(frames_of([1500, 400, 3000])) == 100
    assert video.frame_ms(frames_of([1500, 500, 3000])) == 500
    assert video.frame_ms(frames_of([1500, 30, 3000])) == 10
    assert video.frame_ms(frames_of([60000])) == 1000
    assert video.frame_ms(frames_of([1500, 25, 3000])) == 25
    assert video.frame_ms(frames_of([1500, 7, 3000])) == 10  # at most 100 fps
    assert video.repeats(frames_of([1500, 400, 3000]), 100) == [15, 4, 30]
    assert video.repeats(frames_of([1500, 25, 25, 25, 3000]), 10) == [150, 3, 2, 3, 300]  # 1.5 s, 75 ms, 3 s
    assert video.padded_size(920, 524, None) == (920, 524)
    assert video.padded_size(683, 391, None) == (684, 392)
    assert video.padded_size(920, 524, (16, 9)) == (960, 540)
    assert video.padded_size(684, 392, (4, 3)) == (688, 516)


def test_frames_are_streamed_into_one_buffer():
    frames = small().frames()
    stream = video.video_frames(frames, (684, 392))
    first = next(stream)
    assert all(picture is first for picture in stream)  # no frame list is kept: memory stays flat


def test_bad_video_options_are_one_line_errors(tmp_path):
    s = small()
    for options, message in (
        ({"aspect": "wide"}, "aspect: must be 'W:H' such as '16:9' or '4:3', or 'none' (got 'wide')"),
        ({"scale": 0}, "scale: must be a number from 0.25 to 8 (got 0)"),
        ({"frame": 1}, "format 'mp4' takes no option 'frame' (its options: scale, aspect)"),
    ):
        with pytest.raises(convanim.ConvanimError) as err:
            s.save(tmp_path / "x.mp4", **options)
        assert str(err.value) == message
    assert list(tmp_path.iterdir()) == []


def test_chromium_plays_both_videos_for_the_timelines_duration(tmp_path, open_page):
    s = small()
    s.save(tmp_path / "small.mp4")
    s.save(tmp_path / "small.webm")
    page = tmp_path / "videos.html"
    page.write_text(
        '<video id="mp4" src="small.mp4" muted></video><video id="webm" src="small.webm" muted></video>'
    )
    watched = open_page(page)
    for name in ("mp4", "webm"):
        watched.page.wait_for_function(f"document.getElementById('{name}').readyState >= 1")
        state = watched.page.evaluate(
            f"() => {{ const v = document.getElementById('{name}');"
            " return [v.error && v.error.code, v.duration, v.videoWidth, v.videoHeight]; }"
        )
        assert state == [None, 1.9, 684, 392], name
    watched.assert_clean()
