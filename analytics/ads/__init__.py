"""Online-ad analysis: extraction, clustering, circuits and evidence-graded scores."""

from analytics.ads.analyse import AdAnalysisConfig, analyse_ads, run_ad_analysis

__all__ = ["AdAnalysisConfig", "analyse_ads", "run_ad_analysis"]
