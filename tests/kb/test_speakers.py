from kb.speakers import speaker_id


def test_speaker_id_is_a_readable_slug() -> None:
    assert speaker_id("Daren Tang") == "daren-tang"
    assert speaker_id("  Mr. GURRY ") == "mr-gurry"


def test_speaker_id_folds_accents_but_keeps_other_scripts() -> None:
    assert speaker_id("Francis Gürry") == "francis-gurry"
    assert speaker_id("邓鸿森") == "邓鸿森"
    assert speaker_id("Дарен Тан") == "дарен-тан"
    assert speaker_id("SPEAKER_00") == "speaker-00"
