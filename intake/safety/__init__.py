"""Safety: the crisis detector, the ASQ safety screen and the crisis alerts."""
from intake.safety.detector import RiskDetector, RiskFinding, default_detector, detect_risk

__all__ = ["RiskDetector", "RiskFinding", "default_detector", "detect_risk"]
