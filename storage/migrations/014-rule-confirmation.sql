-- A text or image rule may be confirmed by the object detector: raised only where it also saw
-- what `confirm_object` names (a COCO label, or a word for one) in the clip.
ALTER TABLE alert_rules ADD COLUMN confirm_object TEXT;
