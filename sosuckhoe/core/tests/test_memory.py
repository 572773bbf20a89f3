import gc

from sosuckhoe.core.memory import COLLECTION_THRESHOLDS, loaded_frozen


def test_a_loaded_process_freezes_what_it_holds_and_collects_less_often():
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)  # Python's own, whatever a test before set
    try:
        loaded_frozen()
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == COLLECTION_THRESHOLDS
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
