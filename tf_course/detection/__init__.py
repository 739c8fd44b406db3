"""Course 4 week 3: object detection with YOLO (box ops, YOLOv2, post-processing, serving)."""
