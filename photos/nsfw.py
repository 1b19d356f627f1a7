"""NSFW scanning (STX-10) behind a small interface with two backends.

``PHOTOS_NSFW_SCANNER`` names the class: ``photos.nsfw.NudeNetScanner``
(offline; its model ships inside the nudenet wheel, whose licence files are
AGPL-3.0) or ``photos.nsfw.RekognitionScanner`` (AWS DetectModerationLabels).
A flag never rejects on its own: it holds the photo for staff review.
"""

from __future__ import annotations

import io
from abc import ABC, abstractmethod
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.utils.module_loading import import_string
from PIL import Image


class ScannerUnavailable(Exception):
    """The scanner could not give an answer; the photo waits for staff review."""


@dataclass(frozen=True)
class ScanResult:
    labels: dict[str, float]
    flagged: list[str]


class Scanner(ABC):
    """Return label -> confidence (0..1) for an image; subclasses talk to one backend."""

    @abstractmethod
    def labels(self, image: Image.Image) -> dict[str, float]:
        """Return each label the backend found with its confidence from 0 to 1."""

    def scan(self, image: Image.Image) -> ScanResult:
        labels = self.labels(image)
        thresholds = settings.PHOTOS_NSFW_THRESHOLDS
        flagged = sorted(
            label for label, score in labels.items() if label in thresholds and score >= thresholds[label]
        )
        return ScanResult(labels=labels, flagged=flagged)


class NudeNetScanner(Scanner):
    def labels(self, image: Image.Image) -> dict[str, float]:
        import numpy as np

        try:
            detector = _nudenet_detector()
            detections = detector.detect(np.asarray(image.convert("RGB")))
        except Exception as exc:  # onnxruntime and OpenCV raise their own types
            raise ScannerUnavailable(str(exc)) from exc
        labels: dict[str, float] = {}
        for detection in detections:
            labels[detection["class"]] = max(labels.get(detection["class"], 0.0), float(detection["score"]))
        return labels


@lru_cache(maxsize=1)
def _nudenet_detector():
    from nudenet import NudeDetector

    return NudeDetector()


class RekognitionScanner(Scanner):
    def __init__(self, client=None) -> None:
        import boto3

        self.client = client or boto3.client("rekognition", region_name=settings.PHOTOS_REKOGNITION_REGION)

    def labels(self, image: Image.Image) -> dict[str, float]:
        from botocore.exceptions import BotoCoreError, ClientError

        out = io.BytesIO()
        image.convert("RGB").save(out, "JPEG", quality=90, exif=b"")  # pixels only: no location leaves (PIX-7)
        try:
            response = self.client.detect_moderation_labels(Image={"Bytes": out.getvalue()}, MinConfidence=50)
        except (BotoCoreError, ClientError) as exc:
            raise ScannerUnavailable(str(exc)) from exc
        return {item["Name"]: float(item["Confidence"]) / 100 for item in response.get("ModerationLabels", [])}


def get_scanner() -> Scanner:
    return import_string(settings.PHOTOS_NSFW_SCANNER)()
