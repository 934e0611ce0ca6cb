"""What MkDocs needs from clientgen to build a docs site: the hooks and the Material template overrides."""
