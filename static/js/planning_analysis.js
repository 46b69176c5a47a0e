/* Charts of the planning analyses (ECharts 5, vendored): the access map and the forecast.
 *
 * Everything comes from JSON written by the server with json_script:
 * <script id="access-data"> on the access page (zones with both age groups' access,
 * 普惠 institutions, the township GeoJSON or null) and <script id="forecast-data"> on the
 * forecast page (years, the first forecast year, the city and every township). No map
 * tiles: the townships' outlines (approximate) or plain longitude/latitude axes.
 */
(function () {
  "use strict";

  if (typeof echarts === "undefined") {
    return;
  }
  var charts = [];
  var DESERT = "#b02a37";
  var PRIMARY = "#1f5d8c";
  var SECONDARY = "#e07b00";

  function read(id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  function number(value, digits) {
    if (value === null || value === undefined || (typeof value === "number" && isNaN(value))) {
      return "—";
    }
    return value.toLocaleString(undefined, { maximumFractionDigits: digits === undefined ? 1 : digits });
  }

  /* Width over height of the outline's longitude/latitude box, as ECharts draws it (its
   * default aspectScale of 0.75 shortens longitudes at this latitude). */
  function outlineAspect(geojson) {
    var box = [Infinity, Infinity, -Infinity, -Infinity];
    function walk(coordinates) {
      if (typeof coordinates[0] === "number") {
        box = [Math.min(box[0], coordinates[0]), Math.min(box[1], coordinates[1]),
          Math.max(box[2], coordinates[0]), Math.max(box[3], coordinates[1])];
        return;
      }
      coordinates.forEach(walk);
    }
    geojson.features.forEach(function (feature) {
      if (feature.geometry) {
        walk(feature.geometry.coordinates);
      }
    });
    var width = box[2] - box[0];
    var height = box[3] - box[1];
    return width > 0 && height > 0 ? (width / height) * 0.75 : 1;
  }

  /* The access map: zones coloured by access, deserts ringed in red, institutions as dots. */
  function accessMap(data) {
    var element = document.getElementById("access-map");
    if (!element) {
      return;
    }
    var select = document.getElementById("access-map-group");
    var chart = echarts.init(element);
    var TOP = 36;
    var BOTTOM = 72;
    var aspect = data.geojson ? outlineAspect(data.geojson) : 1;
    if (data.geojson) {
      echarts.registerMap("planning-townships", data.geojson);
    }

    /* The outline as large as the box between the legend and the colour scale allows,
     * keeping its proportions (a wide county on a desktop, a narrow box on a phone). */
    function geo() {
      var width = element.clientWidth - 16;
      var height = element.clientHeight - TOP - BOTTOM;
      var size = aspect >= 1 ? Math.min(width, height * aspect) : Math.min(height, width / aspect);
      return {
        map: "planning-townships",
        roam: true,
        layoutCenter: [element.clientWidth / 2, TOP + height / 2],
        layoutSize: Math.max(size, 50),
        silent: true,
        label: { show: true, fontSize: 10, color: "#6c757d" },
        itemStyle: { areaColor: "#f1f3f5", borderColor: "#adb5bd" }
      };
    }

    function draw(group) {
      var values = data.zones.map(function (z) { return z[group].access; })
        .filter(function (v) { return v !== null; });
      var high = Math.max(data.threshold * 2, values.length ? Math.max.apply(null, values) : 0);
      var zonePoints = data.zones.map(function (z) {
        var figures = z[group];
        return {
          name: z.name,
          value: [z.lon, z.lat, figures.access === null ? high : figures.access],
          zone: z,
          figures: figures,
          itemStyle: figures.desert ? { borderColor: DESERT, borderWidth: 3 } : { borderColor: "#fff", borderWidth: 1 }
        };
      });
      var institutionPoints = data.institutions
        .filter(function (s) { return s[group] > 0; })
        .map(function (s) { return { name: s.name, value: [s.lon, s.lat], slots: s[group] }; });
      var coordinates = data.geojson ? { coordinateSystem: "geo" } : {};
      var zoneSeries = Object.assign({
        type: "scatter",
        name: data.text.zones,
        symbolSize: function (value, params) {
          var children = params.data.figures.children;
          return Math.max(8, Math.min(26, 6 + Math.sqrt(children)));
        },
        data: zonePoints,
        z: 3
      }, coordinates);
      var institutionSeries = Object.assign({
        type: "scatter",
        name: data.text.institutions,
        symbol: "diamond",
        symbolSize: 6,
        itemStyle: { color: "#495057", opacity: 0.8 },
        data: institutionPoints,
        z: 4
      }, coordinates);
      var option = {
        aria: { enabled: true },
        legend: { top: 0, data: [data.text.zones, data.text.institutions] },
        tooltip: {
          trigger: "item",
          confine: true,
          formatter: function (params) {
            if (params.seriesIndex === 1) {
              return params.name + "<br>" + data.text.slots + ": " + number(params.data.slots, 0);
            }
            var z = params.data.zone;
            var f = params.data.figures;
            var lines = [
              z.name + " · " + z.township,
              data.text.children + ": " + number(f.children, 1),
              data.text.reach + ": " + number(f.reach, 0),
              data.text.access + ": " + (f.access === null ? data.text.unbounded : number(f.access, 3))
            ];
            if (f.desert) {
              lines.push("<strong style=\"color:" + DESERT + "\">" + data.text.desert + "</strong>");
            }
            return lines.join("<br>");
          }
        },
        visualMap: {
          seriesIndex: 0,
          dimension: 2,
          min: 0,
          max: high,
          calculable: true,
          orient: "horizontal",
          left: "center",
          bottom: 4,
          itemHeight: 160,
          text: ["", data.text.access],
          inRange: { color: ["#fde0dd", "#74a9cf", "#08457e"] }
        },
        series: [zoneSeries, institutionSeries]
      };
      if (data.geojson) {
        option.geo = geo();
      } else {
        option.grid = { left: 56, right: 24, top: 36, bottom: 70 };
        option.xAxis = { type: "value", scale: true, name: data.text.longitude };
        option.yAxis = { type: "value", scale: true, name: data.text.latitude };
      }
      chart.setOption(option, true);
    }

    draw(select ? select.value : data.group);
    if (select) {
      select.addEventListener("change", function () { draw(select.value); });
    }
    charts.push(chart);
    window.addEventListener("resize", function () {
      if (data.geojson) {
        chart.setOption({ geo: geo() });
      }
    });
  }

  /* Observed (solid) and forecast (dashed) children under 3 and under 2 of one area. */
  function forecastChart(data) {
    var element = document.getElementById("forecast-chart");
    if (!element || !data.areas.length) {
      return;
    }
    var select = document.getElementById("forecast-area");
    var chart = echarts.init(element);
    var years = data.years.map(String);
    var split = data.years.indexOf(data.first_forecast_year);

    function part(values, observed) {
      return values.map(function (value, index) {
        if (split < 0) {
          return observed ? value : null;
        }
        // The forecast line starts at the last observed year, so the two lines join.
        var keep = observed ? index < split : index >= split - 1;
        return keep ? value : null;
      });
    }

    function line(name, values, colour, dashed) {
      return {
        type: "line",
        name: name,
        data: values,
        connectNulls: false,
        symbolSize: 6,
        lineStyle: { color: colour, width: 2, type: dashed ? "dashed" : "solid" },
        itemStyle: { color: colour }
      };
    }

    function draw(code) {
      var area = data.areas.filter(function (a) { return a.code === code; })[0] || data.areas[0];
      var t = data.text;
      chart.setOption({
        aria: { enabled: true },
        legend: { top: 0 },
        grid: { left: 56, right: 24, top: 48, bottom: 36 },
        tooltip: {
          trigger: "axis",
          valueFormatter: function (value) { return number(value, 0); }
        },
        xAxis: { type: "category", data: years, boundaryGap: false },
        yAxis: { type: "value", name: t.children, min: 0 },
        series: [
          line(t.under_3 + " · " + t.observed, part(area.under_3, true), PRIMARY, false),
          line(t.under_3 + " · " + t.forecast, part(area.under_3, false), PRIMARY, true),
          line(t.under_2 + " · " + t.observed, part(area.under_2, true), SECONDARY, false),
          line(t.under_2 + " · " + t.forecast, part(area.under_2, false), SECONDARY, true)
        ]
      }, true);
    }

    draw(select ? select.value : data.areas[0].code);
    if (select) {
      select.addEventListener("change", function () { draw(select.value); });
    }
    charts.push(chart);
  }

  var access = read("access-data");
  if (access) {
    accessMap(access);
  }
  var forecast = read("forecast-data");
  if (forecast) {
    forecastChart(forecast);
  }
  window.addEventListener("resize", function () {
    charts.forEach(function (chart) { chart.resize(); });
  });
})();
