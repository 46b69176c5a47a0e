/* The parents' portal: the "use my location" button and the map of results.
   The page works without this script: the search is a plain GET form. */
(function () {
  "use strict";

  var button = document.getElementById("use-location");
  var status = document.getElementById("location-status");
  var lat = document.getElementById("id_lat");
  var lon = document.getElementById("id_lon");
  if (button && lat && lon && navigator.geolocation) {
    button.classList.remove("d-none");
    button.addEventListener("click", function () {
      status.textContent = button.dataset.locating;
      navigator.geolocation.getCurrentPosition(function (position) {
        lat.value = position.coords.latitude.toFixed(5);
        lon.value = position.coords.longitude.toFixed(5);
        status.textContent = button.dataset.located;
      }, function () {
        status.textContent = button.dataset.failed;
      }, { timeout: 10000, maximumAge: 600000 });
    });
  }

  var source = document.getElementById("portal-map-data");
  var element = document.getElementById("portal-map");
  if (!source || !element || typeof echarts === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var chart = echarts.init(element);
  var points = data.points.map(function (p) {
    return { name: p.name, value: [p.lon, p.lat], url: p.url };
  });
  var option;
  if (data.geojson) {
    echarts.registerMap("portal-townships", data.geojson);
    option = {
      aria: { enabled: true },
      tooltip: { trigger: "item", formatter: function (p) { return p.name; } },
      geo: {
        map: "portal-townships",
        roam: true,
        layoutCenter: ["50%", "50%"],
        layoutSize: "92%",
        label: { show: true, fontSize: 9, color: "#555" },
        itemStyle: { areaColor: "#eef4fa", borderColor: "#9bb" },
        emphasis: { label: { show: true }, itemStyle: { areaColor: "#dbe9f6" } }
      },
      series: [{ type: "scatter", coordinateSystem: "geo", symbolSize: 9, itemStyle: { color: "#c0392b" }, data: points }]
    };
  } else {
    option = {
      aria: { enabled: true },
      tooltip: { trigger: "item", formatter: function (p) { return p.name; } },
      grid: { left: 50, right: 16, top: 16, bottom: 40 },
      xAxis: { type: "value", scale: true, name: data.text.longitude },
      yAxis: { type: "value", scale: true, name: data.text.latitude },
      series: [{ type: "scatter", symbolSize: 9, itemStyle: { color: "#c0392b" }, data: points }]
    };
  }
  chart.setOption(option);
  chart.on("click", function (params) {
    if (params.data && params.data.url) {
      window.location.href = params.data.url;
    }
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
