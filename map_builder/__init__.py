"""folium: turns read models into a map that uses only locally served assets."""
